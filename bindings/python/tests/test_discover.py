"""Discovery and reconciliation (include/ipam/discover.h) from Python:
observation sets, storing them, reconciling, and every probe against a real
counterpart on 127.0.0.1: a TCP listener for the sweep, snmpd for SNMP, and
tests/discover/cloud_server.py for the clouds' APIs."""

import ipaddress
import json
import socket

import pytest

import ipam
from ipaddress import IPv4Address, IPv4Network
from servers import CLOUD_KEY, CLOUD_SECRET, CloudServer, Snmpd

NOW = 1700000000


def test_observation_sets():
    s = ipam.Observations()
    assert len(s) == 0 and list(s) == [] and "0" in repr(s)
    s.add(source="icmp", address="192.0.2.5", first_seen=NOW - 10, last_seen=NOW - 5)
    s.add(ipam.Observation("snmp", address=IPv4Address("192.0.2.6"), mac="00:11:22:33:44:55", name="h6",
                           device="10.0.0.1 eth0", first_seen=NOW, last_seen=NOW))
    s.add(source="aws", subnet="10.0.0.0/16", space="default", first_seen=NOW, last_seen=NOW)
    # the same observation again merges (times widen)
    s.add(source="icmp", address="192.0.2.5", first_seen=NOW, last_seen=NOW)
    assert len(s) == 3
    o = s[0]
    assert isinstance(o, ipam.Observation) and o.kind == "address"
    assert (o.address, o.first_seen, o.last_seen, o.space) == (IPv4Address("192.0.2.5"), NOW - 10, NOW, "default")
    assert s[1].mac == "00:11:22:33:44:55" and s[1].device == "10.0.0.1 eth0" and s[1].name == "h6"
    assert s[-1].kind == "subnet" and s[-1].subnet == IPv4Network("10.0.0.0/16") and s[-1].address is None
    with pytest.raises(IndexError):
        s[3]
    doc = json.loads(s.to_json())
    assert [d["source"] for d in doc] == ["icmp", "snmp", "aws"]
    t = ipam.Observations()
    t.add_json(s.to_json(), "scan.json")
    assert list(t) == list(s)
    assert list(ipam.Observations(s)) == list(s)
    with pytest.raises(ipam.InvalidArgument, match="scan.json"):
        t.add_json('[{"kind": "address"}]', "scan.json")
    with pytest.raises(ipam.InvalidArgument, match="source"):
        t.add(source="", address="192.0.2.1")
    with pytest.raises(ipam.InvalidArgument, match="one of them"):
        t.add(source="icmp")
    with pytest.raises(ipam.InvalidArgument):
        t.add(source="icmp", address="192.0.2.1", mac="not-a-mac")


def test_save_load_and_reconcile(db):
    db.add_prefix("192.0.2.0/24")
    db.add_address("192.0.2.10", hostname="a.example.test", mac="00:00:5e:00:53:01")
    db.add_address("192.0.2.11", hostname="b.example.test")
    s = ipam.Observations()
    s.add(source="snmp", address="192.0.2.10", mac="00:00:5e:00:53:99", first_seen=NOW, last_seen=NOW)
    s.add(source="icmp", address="192.0.2.12", first_seen=NOW, last_seen=NOW)
    s.add(source="icmp", address="198.51.100.1", first_seen=NOW, last_seen=NOW)
    db.save_observations(s)
    kept = db.observations()
    assert len(kept) == 3 and {o.address for o in kept} == {o.address for o in s}
    assert len(db.observations(since=NOW + 1)) == 0
    with pytest.raises(ipam.NotFound):
        db.observations(space="nope")

    r = db.reconcile(kept, now=NOW)
    assert isinstance(r, ipam.ReconcileReport) and "findings" in repr(r)
    assert r.counts == {"unrecorded": 1, "unseen": 1, "mac-differs": 1, "name-differs": 0, "mac-conflict": 0,
                        "outside": 1, "subnet-missing": 0, "subnet-differs": 0}
    assert len(r) == r.count() == 4 and r.applied == 0
    md = next(d for d in r if d.category == "mac-differs")
    assert isinstance(md, ipam.Drift)
    assert (md.address, md.recorded_mac, md.seen_mac) == (IPv4Address("192.0.2.10"), "00:00:5e:00:53:01",
                                                         "00:00:5e:00:53:99")
    assert r[0] in list(r) and json.loads(r.to_json())["counts"]["outside"] == 1
    with pytest.raises(ipam.InvalidArgument, match="category"):
        r.count("weird")

    r = db.reconcile(kept, now=NOW, apply=True)
    assert r.applied == 1
    assert db.address("192.0.2.12").attrs["source"] == "discovery"
    assert db.reconcile(kept, now=NOW, space="default", since=NOW, unseen_days=1).count("unrecorded") == 0


def test_tcp_sweep():
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        port = srv.getsockname()[1]
        obs = ipam.sweep("127.0.0.1/32", tcp_ports=[port], timeout=1, now=NOW)
        assert [(o.address, o.source, o.last_seen) for o in obs] == [(IPv4Address("127.0.0.1"), "tcp", NOW)]
        more = ipam.sweep(ipaddress.ip_network("127.0.0.1/32"), tcp_ports=[port], space="lab", into=obs)
        assert more is obs and len(obs) == 2 and obs[1].space == "lab"
    # ICMP: an echo to 127.0.0.1 (a raw socket as root, a ping socket where the kernel allows one)
    try:
        icmp = ipam.sweep("127.0.0.1/32", icmp=True, timeout=1, now=NOW)
        assert [(o.address, o.source) for o in icmp] == [(IPv4Address("127.0.0.1"), "icmp")]
    except ipam.PermissionDenied as e:
        assert "ICMP" in str(e) or "icmp" in str(e)
    with pytest.raises(ipam.InvalidArgument):
        ipam.sweep("127.0.0.1/32")  # no probe asked for
    with pytest.raises(ipam.InvalidArgument):
        ipam.sweep("10.0.0.0/8", tcp_ports=[80], max_addresses=256)
    with pytest.raises(ipam.InvalidArgument):
        ipam.sweep("127.0.0.1/32", tcp_ports=[70000])


def test_rdns_errors():
    with pytest.raises(ipam.InvalidArgument):
        ipam.discover_rdns("10.0.0.0/8", "127.0.0.1", max_addresses=16)
    with pytest.raises(ipam.InvalidArgument):
        ipam.discover_rdns("192.0.2.0/30", "not an address")


@pytest.fixture(scope="module")
def clouds():
    s = CloudServer()
    yield s
    s.stop()


def test_aws(clouds):
    with ipam.open() as db:
        obs = ipam.discover_aws(region="eu-west-1", endpoint=clouds.url + "/", access_key=CLOUD_KEY,
                                secret_key=CLOUD_SECRET, db=db, now=NOW)
        spaces = {o.space for o in obs}
        assert spaces == {"aws/111122223333/eu-west-1/vpc-aaa", "aws/111122223333/eu-west-1/vpc-bbb"}
        assert db.space("aws/111122223333/eu-west-1/vpc-bbb").labels["vpc"] == "vpc-bbb"
        assert obs[6].name == "ip-10-0-1-10.eu-west-1.compute.internal" and len(obs) == 10
    with pytest.raises(ipam.AuthError, match="SignatureDoesNotMatch") as e:
        ipam.discover_aws(region="eu-west-1", endpoint=clouds.url + "/", access_key=CLOUD_KEY,
                          secret_key="not-the-secret")
    assert "not-the-secret" not in str(e.value)


def test_azure_and_gcp(clouds):
    obs = ipam.discover_azure(subscription="0f1e2d3c-aaaa-bbbb-cccc-000000000001", tenant="tenant-1",
                              client_id="app-1", client_secret="s3cret +&=", login_endpoint=clouds.url,
                              arm_endpoint=clouds.url, now=NOW)
    assert len(obs) == 6 and {o.source for o in obs} == {"azure"}
    with pytest.raises(ipam.AuthError, match="invalid_client"):
        ipam.discover_azure(subscription="0f1e2d3c-aaaa-bbbb-cccc-000000000001", tenant="tenant-1",
                            client_id="app-1", client_secret="wrong", login_endpoint=clouds.url,
                            arm_endpoint=clouds.url)
    with ipam.open() as db:
        obs = ipam.discover_gcp(project="proj-1", access_token="gcp-token", endpoint=clouds.url, db=db, now=NOW)
        assert len(obs) > 0 and {o.source for o in obs} == {"gcp"}
        assert db.space("gcp/proj-1/default").labels["provider"] == "gcp"
    with pytest.raises(ipam.AuthError):
        ipam.discover_gcp(project="proj-1", access_token="bad-token", endpoint=clouds.url)
    with pytest.raises(ipam.IOFailure):
        ipam.discover_gcp(project="proj-1", access_token="t", endpoint="http://127.0.0.1:1", timeout=1)


def test_cloud_dns(clouds):
    aws = dict(endpoint=clouds.url + "/", access_key=CLOUD_KEY, secret_key=CLOUD_SECRET, now=NOW)
    with ipam.open() as db:
        db.add_space("edge")
        before = db.export()
        dry = ipam.cloud_dns_aws(db, space="edge", dry_run=True, **aws)
        assert dry["dry_run"] is True and dry["added"] == 6 and db.export() == before  # nothing written
        r = ipam.cloud_dns_aws(db, space="edge", **aws)
        assert r["dry_run"] is False and r["provider"] == "aws" and (r["added"], r["skipped"]) == (6, 5)
        assert r["zones"][0]["zone"] == "example.com." and "www.example.com. AAAA" in r["zones"][0]["added"]
        zone = db.zone("example.com")
        assert zone.space == "edge" and "ns-2.awsdns-02.net." in zone.ns
        assert "\nwww\t300\tIN\tA\t192.0.2.10\n" in zone.render()
        again = ipam.cloud_dns_aws(db, space="edge", **aws)  # a second read changes nothing
        assert (again["added"], again["changed"], again["unchanged"]) == (0, 0, 6)
        with pytest.raises(ipam.AuthError) as e:
            ipam.cloud_dns_aws(db, **{**aws, "secret_key": "not-the-secret"})
        assert "not-the-secret" not in str(e.value)
        g = ipam.cloud_dns_gcp(db, project="proj-1", access_token="gcp-token", endpoint=clouds.url, now=NOW)
        assert g["provider"] == "gcp" and g["zones"][0]["zone"] == "example.org." and g["added"] == 3
        a = ipam.cloud_dns_azure(db, subscription="0f1e2d3c-aaaa-bbbb-cccc-000000000001", tenant="tenant-1",
                                 client_id="app-1", client_secret="s3cret +&=", login_endpoint=clouds.url,
                                 arm_endpoint=clouds.url, zone="example.net", now=NOW)
        assert [z["zone"] for z in a["zones"]] == ["example.net."] and "example.net. CAA" in a["zones"][0]["added"]
        assert {z.name for z in db.zones()} >= {"example.com.", "example.org.", "example.net."}


def test_snmp():
    agent = Snmpd()
    try:
        ok = ipam.SnmpTarget(agent.host, community="public")
        v3 = ipam.SnmpTarget(agent.host, version=3, user=agent.USER, auth_pass=agent.AUTH, priv_pass=agent.PRIV,
                             space="lab")
        bad = ipam.SnmpTarget(agent.host, version=3, user=agent.USER, auth_pass="wrongpass1", priv_pass=agent.PRIV)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
            silent.bind(("127.0.0.1", 0))
            gone = f"127.0.0.1:{silent.getsockname()[1]}"
            obs, errors = ipam.discover_snmp([ok, v3, gone], timeout=0.5, now=NOW)
        assert isinstance(obs, ipam.Observations)
        assert errors[:2] == [None, None] and isinstance(errors[2], ipam.IOFailure), errors
        assert gone in str(errors[2])
        assert all(o.source == "snmp" and o.last_seen == NOW for o in obs)
        assert {o.space for o in obs} <= {"default", "lab"}
        # (a wrong pass phrase in its own call: within one call, net-snmp's
        # user table lets a second target of the same user and engine reuse
        # the first one's keys)
        obs, errors = ipam.discover_snmp([bad], timeout=0.5, now=NOW)
        assert len(obs) == 0 and isinstance(errors[0], ipam.AuthError)
    finally:
        agent.stop()


def test_ctrl_c_interrupts_a_probe():
    """Ctrl-C (SIGINT) during a probe that waits on the network raises
    KeyboardInterrupt at once; the C call ends in the background and its
    observations are dropped."""
    import signal
    import threading
    import time
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        obs = ipam.Observations()
        threading.Timer(0.1, lambda: signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)).start()
        start = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            ipam.discover_rdns("192.0.2.0/30", "127.0.0.1", port=port, timeout=0.4, rate=1000, into=obs)
        assert time.monotonic() - start < 0.35
        time.sleep(1)  # the C call ends (400 ms, one retry)
        assert len(obs) == 0


def test_credentials():
    with ipam.open() as db:
        db.add_credential("lab", "snmpv3", "authpass123", id="ipamuser", secret2="privpass123")
        db.add_credential("acct", "aws", "wJalrXUtnFEMI", id="AKIDEXAMPLE")
        with pytest.raises(ipam.Exists):
            db.add_credential("lab", "snmpv3", "other-pass", id="ipamuser")
        with pytest.raises(ipam.InvalidArgument) as e:
            db.add_credential("bad", "ftp", "s3cret-value")
        assert "s3cret-value" not in str(e.value)
        listed = db.credentials()
        assert [c["name"] for c in listed] == ["acct", "lab"]
        assert "authpass123" not in json.dumps(listed) and "wJalrXUtnFEMI" not in db.export()
        assert db.credential("lab") == {"type": "snmpv3", "id": "ipamuser", "tenant": None, "secret": "authpass123",
                                        "secret2": "privpass123"}
        db.add_credential("lab", "snmpv3", "newpass1234", id="ipamuser", replace=True)
        assert db.credential("lab")["secret"] == "newpass1234"
        db.remove_credential("acct")
        with pytest.raises(ipam.NotFound):
            db.credential("acct")
        with pytest.raises(ipam.NotFound):
            db.remove_credential("acct")
