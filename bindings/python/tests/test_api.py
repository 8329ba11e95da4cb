"""Every public call of the package on spaces, prefixes, addresses and
ranges: what goes in (str and ipaddress objects), what comes out (ipaddress
objects, objects with properties, iterators)."""

import ipaddress
import json
import types

import pytest

import ipam
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network


def test_version():
    assert ipam.__version__ == ipam.library_version
    import os
    if os.environ.get("IPAM_VERSION"):
        assert ipam.__version__ == os.environ["IPAM_VERSION"]


def test_open_close_and_context_manager():
    db = ipam.open()
    assert db.uri == "memory:" and not db.closed and "memory:" in repr(db)
    db.close()
    db.close()
    assert db.closed and "closed" in repr(db)
    with pytest.raises(ipam.InvalidArgument, match="closed"):
        db.space()
    with ipam.open("index:") as d:
        assert d.space().name == "default"
    assert d.closed


def test_spaces(db):
    lab = db.add_space("lab", labels={"site": "ams", "env": "test"})
    assert isinstance(lab, ipam.Space)
    assert lab.name == "lab" and lab.labels == {"site": "ams", "env": "test"}
    assert db.space("lab") == lab and db.space() == db.space("default")
    assert db.space().labels == {}
    db.add_space("aws")
    it = db.spaces()
    assert isinstance(it, types.GeneratorType)
    assert [s.name for s in it] == ["aws", "default", "lab"]
    p = lab.add_prefix("10.0.0.0/8", status="container")
    assert p.space == "lab" and [x.network for x in lab.prefixes()] == [IPv4Network("10.0.0.0/8")]
    lab.add_prefix("10.1.0.0/16")
    assert [x.network for x in lab.prefixes(within="10.1.0.0/16")] == [IPv4Network("10.1.0.0/16")]
    ip = p.alloc_address()
    assert [a.address for a in lab.addresses()] == [ip] and list(lab.addresses(within="10.1.0.0/16")) == []
    db.add_range("10.2.0.1", "10.2.0.9", space="lab")
    assert [r.first for r in lab.ranges()] == [IPv4Address("10.2.0.1")]
    assert list(lab.ranges(within="10.3.0.0/16")) == []
    with pytest.raises(ipam.InUse):
        lab.remove()
    db.space("aws").remove()
    with pytest.raises(ipam.NotFound, match="aws"):
        db.space("aws")
    assert "lab" in repr(lab)


def test_prefixes(db):
    top = db.add_prefix(IPv4Network("10.0.0.0/8"), status="container", description="all",
                        attrs={"owner": "netops", "n": 3})
    assert isinstance(top, ipam.Prefix)
    assert (top.network, top.version, top.space, top.status, top.pool, top.description, top.attrs,
            top.parent, top.depth) == (IPv4Network("10.0.0.0/8"), 4, "default", "container", False, "all",
                                       {"owner": "netops", "n": 3}, None, 0)
    a = db.alloc_prefix("10.0.0.0/8", 24)
    bp = top.alloc_prefix(24, pool=True, description="b", attrs={"x": 1})
    assert isinstance(bp, ipam.Prefix) and bp == db.prefix(bp.network)
    b = bp.network
    assert (a.network, b) == (IPv4Network("10.0.0.0/24"), IPv4Network("10.0.1.0/24"))
    assert a.alloc_address() == IPv4Address("10.0.0.1")
    a.remove()
    db.add_prefix("10.0.0.0/24")
    db.add_prefix("10.0.4.0/22")
    assert db.alloc_prefix(top.network, 25, policy="best-fit").network == IPv4Network("10.0.2.0/25")
    assert bp.pool and bp.parent == top.network and bp.depth == 1 and bp.attrs == {"x": 1}
    assert db.match("10.0.1.77") == b and db.match(IPv4Address("10.0.1.77")) == b
    assert db.match("10.0.1.64/26") == b and db.match(IPv4Network("10.0.1.64/26")) == b
    with pytest.raises(ipam.NotFound):
        db.match("172.16.0.1")

    v6 = db.add_prefix("2001:db8::/32")
    assert v6.version == 6 and isinstance(v6.network, IPv6Network)
    assert db.alloc_prefix(v6.network, 48).network == IPv6Network("2001:db8::/48")
    assert [p.network for p in db.prefixes(family=6)] == [IPv6Network("2001:db8::/32"), IPv6Network("2001:db8::/48")]
    assert [str(p.network) for p in db.prefixes(within="10.0.0.0/16")] == \
        ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/25", "10.0.4.0/22"]
    assert [str(p.network) for p in top.prefixes()][:2] == ["10.0.0.0/8", "10.0.0.0/24"]
    assert [str(p.network) for p in db.prefixes(covering="10.0.1.1")] == ["10.0.0.0/8", "10.0.1.0/24"]
    assert len(list(db.prefixes())) == 7
    with pytest.raises(ipam.InvalidArgument):
        db.prefixes(within="10.0.0.0/8", covering="10.0.0.0/8")
    with pytest.raises(ipam.InvalidArgument, match="family"):
        db.prefixes(family=5)
    with pytest.raises(ipam.NotFound):
        db.prefixes(space="nope")

    u = db.utilization("10.0.0.0/16")
    assert isinstance(u, ipam.Utilization)
    assert (u.total, u.used, u.free) == (65536, 256 + 256 + 128 + 1024, 65536 - 1664)
    assert 2.5 < u.used_percent < 2.6 and u.free_64s == 0
    u6 = v6.utilization()
    assert u6.total == 2 ** 96 and u6.free_64s == 2 ** 32 - 2 ** 16 and u6.used == 2 ** 80
    assert top.utilization().used == 256 + 256 + 128 + 1024

    db.remove_prefix("10.0.4.0/22")
    with pytest.raises(ipam.NotFound):
        db.prefix("10.0.4.0/22")
    bp.remove()
    with pytest.raises(ipam.NotFound):
        db.remove_prefix(b)
    with pytest.raises(ipam.Exhausted, match="192.0.2.0/31"):
        db.add_prefix("192.0.2.0/31")
        db.alloc_prefix("192.0.2.0/31", 32)
        db.alloc_prefix("192.0.2.0/31", 32)
        db.alloc_prefix("192.0.2.0/31", 32)
    db.add_prefix("172.16.0.0/12", exclusive=True)
    with pytest.raises(ipam.Exists, match="172.16.0.0/12"):
        db.add_prefix("172.16.1.0/24", exclusive=True)
    assert "10.0.0.0/8" in repr(top) and top == db.prefix("10.0.0.0/8") and hash(top) == hash(db.prefix(top.network))


def test_addresses(db):
    net = db.add_prefix("192.0.2.0/29")
    got = []
    with pytest.raises(ipam.Exhausted) as e:
        while True:
            got.append(net.alloc_address())
    assert "192.0.2.0/29" in str(e.value) and "default" in str(e.value)
    assert got == [IPv4Address(f"192.0.2.{i}") for i in range(1, 7)]
    assert all(type(a) is IPv4Address for a in got)
    db.release_address("192.0.2.3")
    with pytest.raises(ipam.NotFound):
        db.release_address(IPv4Address("192.0.2.3"))
    a = net.alloc_address(hostname="web3.example.net", mac="52-54-00-AB-CD-EF", description="web",
                          attrs={"rack": "r1"}, status="reserved")
    assert a == IPv4Address("192.0.2.3")
    info = db.address(a)
    assert isinstance(info, ipam.Address)
    assert (info.address, info.space, info.prefix, info.status, info.hostname, info.mac, info.description,
            info.attrs) == (a, "default", IPv4Network("192.0.2.0/29"), "reserved", "web3.example.net",
                            "52:54:00:ab:cd:ef", "web", {"rack": "r1"})
    assert "web3.example.net" in repr(info) and info == db.address("192.0.2.3")
    info.release()
    assert db.alloc_address("192.0.2.0/29", description="again") == a
    with pytest.raises(ipam.InvalidArgument):
        db.alloc_address(net.network, hostname="bad..name")
    with pytest.raises(ipam.InvalidArgument):
        db.alloc_address(net.network, status="sleeping")
    with pytest.raises(ipam.NotFound):
        db.alloc_address("198.51.100.0/24")

    v6 = db.add_address("2001:db8::1", status="dhcp", mac="0011.2233.4455")
    assert v6.address == IPv6Address("2001:db8::1") and v6.status == "dhcp" and v6.prefix is None
    assert v6.mac == "00:11:22:33:44:55" and v6.hostname is None and v6.attrs == {}
    assert db.add_address(IPv6Address("2001:db8::2")).address == IPv6Address("2001:db8::2")
    assert db.add_address(IPv4Address("198.51.100.7").packed).address == IPv4Address("198.51.100.7")
    with pytest.raises(ipam.Exists):
        db.add_address("2001:db8::1")
    # an IPv4-mapped IPv6 address stays IPv6
    m = db.add_address("::ffff:192.0.2.9")
    assert m.address == IPv6Address("::ffff:192.0.2.9")
    with pytest.raises(ipam.NotFound):
        db.address("192.0.2.9")
    assert [x.address for x in net.addresses()] == got
    everything = list(db.addresses())
    assert len(everything) == 10 and everything[-1].address == IPv6Address("2001:db8::2")
    assert [x.address for x in db.addresses(within="2001:db8::/64")] == \
        [IPv6Address("2001:db8::1"), IPv6Address("2001:db8::2")]
    # the next allocation of a v6 prefix skips the subnet-router anycast address
    p6 = db.add_prefix("2001:db8:1::/64")
    assert p6.alloc_address() == IPv6Address("2001:db8:1::1")
    assert type(p6.alloc_address()) is IPv6Address


def test_update_in_place(db):
    net = db.add_prefix("192.0.2.0/30", description="link", attrs={"site": "a"})
    a = net.alloc_address(hostname="old.example.test", mac="52:54:00:ab:cd:ef", description="printer")
    got = db.update_address(a, hostname="new.example.test")
    assert got.hostname == "new.example.test" and got.description == "printer" and got.mac is not None
    got = db.update_address(str(a), description=None, status="reserved", attrs={"rack": "r2"})
    assert got.description is None and got.status == "reserved" and got.attrs == {"rack": "r2"}
    assert got.hostname == "new.example.test"
    with pytest.raises(ipam.InvalidArgument):
        db.update_address(a)
    with pytest.raises(ipam.InvalidArgument):
        db.update_address(a, mac="not a mac")
    with pytest.raises(ipam.NotFound):
        db.update_address("192.0.2.2", status="reserved")
    p = db.update_prefix(net.network, pool=True)
    assert p.pool and p.description == "link" and p.attrs == {"site": "a"}
    assert net.alloc_address() == IPv4Address("192.0.2.0")  # a pool hands out its first address
    p = db.update_prefix("192.0.2.0/30", description=None, status="deprecated")
    assert p.description is None and p.status == "deprecated" and p.pool
    with pytest.raises(ipam.NotFound):
        db.update_prefix("198.51.100.0/24", pool=True)
    # the same objects: one audit entry each, the id kept
    log = [e for e in db.audit() if e.action.endswith(".update")]
    assert [e.action for e in log] == ["address.update"] * 2 + ["prefix.update"] * 2
    assert all(json.loads(e.before)["id"] == json.loads(e.after)["id"] for e in log)


def test_ranges(db):
    net = db.add_prefix("192.0.2.0/24")
    r = db.add_range("192.0.2.1", IPv4Address("192.0.2.99"), purpose="reserved", description="infra",
                     attrs={"why": "routers"})
    assert isinstance(r, ipam.Range)
    assert (r.space, r.first, r.last, r.purpose, r.description, r.attrs) == \
        ("default", IPv4Address("192.0.2.1"), IPv4Address("192.0.2.99"), "reserved", "infra", {"why": "routers"})
    assert r.num_addresses == 99 and "192.0.2.50" in r and "192.0.2.100" not in r and "nonsense" not in r
    pool = db.add_range("192.0.2.100", "192.0.2.199")
    assert pool.purpose == "dhcp" and "dhcp" in repr(pool)
    big = db.add_range("2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", purpose="excluded")
    assert big.num_addresses == 2 ** 64 and "2001:db8::1" in big and "192.0.2.1" not in big
    big.remove()
    with pytest.raises(ipam.Exists):
        db.add_range("192.0.2.100", "192.0.2.199")
    with pytest.raises(ipam.InvalidArgument):
        db.add_range("192.0.2.9", "192.0.2.1")
    with pytest.raises(ipam.InvalidArgument):
        db.add_range("192.0.2.9", "2001:db8::1")
    with pytest.raises(ipam.InvalidArgument, match="purpose"):
        db.add_range("192.0.2.200", "192.0.2.201", purpose="other")
    assert net.alloc_address() == IPv4Address("192.0.2.200")
    assert list(db.ranges()) == [r, pool]
    assert list(db.ranges(within="192.0.2.96/28")) == [r, pool]
    # one range: by its bounds, or the innermost holding an address
    hole = db.add_range("192.0.2.100", "192.0.2.109", purpose="excluded")
    assert db.range("192.0.2.100", "192.0.2.199") == pool
    assert db.range("192.0.2.105") == hole and db.range(IPv4Address("192.0.2.150")) == pool
    assert db.range("192.0.2.1") == r
    with pytest.raises(ipam.NotFound, match="no range holds 192.0.2.250"):
        db.range("192.0.2.250")
    with pytest.raises(ipam.NotFound, match="range 192.0.2.1-192.0.2.98 not found"):
        db.range("192.0.2.1", "192.0.2.98")
    with pytest.raises(ipam.InvalidArgument):
        db.range("192.0.2.9", "192.0.2.1")
    hole.remove()
    r.remove()
    with pytest.raises(ipam.NotFound):
        db.remove_range("192.0.2.1", "192.0.2.99")
    db.remove_range(pool.first, pool.last)
    assert list(db.ranges()) == []


def test_values_in_and_out(db):
    # what the calls accept
    db.add_prefix("10.0.0.0/24")
    for p in ("10.0.0.0/24", IPv4Network("10.0.0.0/24"), ipaddress.ip_network("10.0.0.0/24")):
        assert db.prefix(p).network == IPv4Network("10.0.0.0/24")
    with pytest.raises(ipam.InvalidArgument, match="did you mean 10.1.2.0/24"):
        db.add_prefix("10.1.2.3/24")
    with pytest.raises(ipam.InvalidArgument):
        db.add_address("010.0.0.1")
    with pytest.raises(TypeError, match="IP address"):
        db.add_address(12.5)
    with pytest.raises(TypeError, match="prefix"):
        db.add_prefix(object())
    with pytest.raises(ValueError, match="4 or 16"):
        db.add_address(b"abc")
    with pytest.raises(ipam.InvalidArgument, match="status"):
        db.add_prefix("10.9.0.0/16", status="bogus")
    with pytest.raises(ipam.InvalidArgument, match="policy"):
        db.alloc_prefix("10.0.0.0/24", 28, policy="worst-fit")


def test_stats_revision_check(db):
    r0 = db.revision
    net = db.add_prefix("10.0.0.0/24")
    net.alloc_address()
    assert db.revision == r0 + 2
    s = db.stats()
    assert isinstance(s, ipam.Stats)
    assert (s.spaces, s.prefixes, s.addresses, s.ranges) == (1, 1, 1, 0) and s.index_bytes > 0
    db.check()


def test_iterators_are_lazy_snapshots(db):
    net = db.add_prefix("10.0.0.0/24")
    for _ in range(5):
        net.alloc_address()
    it = db.addresses()
    first = next(it)
    db.release_address("10.0.0.2")
    # released after the snapshot: skipped
    assert [a.address.packed[-1] for a in it] == [3, 4, 5]
    assert first.address == IPv4Address("10.0.0.1")
    it = db.addresses()
    next(it)
    db.close()
    with pytest.raises(ipam.InvalidArgument, match="closed"):
        next(it)
