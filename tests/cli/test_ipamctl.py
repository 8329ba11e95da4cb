"""End-to-end tests of ipamctl.

A memory: database lives only inside one process, so state is built and
checked through `ipamctl batch`; single invocations test the exit codes,
usage errors and human output. IPAMCTL names the binary (set by meson).
"""
import json
import os
import random
import subprocess

import pytest

IPAMCTL = os.environ.get("IPAMCTL")
if not IPAMCTL:
    raise RuntimeError("set IPAMCTL to the ipamctl binary (meson test does)")

ENV = {k: v for k, v in os.environ.items() if k != "IPAM_DB"}

IP_KEYS = {"address", "space", "prefix", "hostname", "mac", "status", "description", "attrs"}
PREFIX_KEYS = {"prefix", "space", "status", "pool", "description", "attrs", "parent", "depth"}


def run(*args, stdin=b"", env=None):
    """Run ipamctl; return (exit code, stdout text, stderr text)."""
    p = subprocess.run([IPAMCTL, *args], input=stdin, capture_output=True,
                       env=env if env is not None else ENV, timeout=300)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def batch(*lines, args=()):
    """Run a batch; return (exit code, one parsed JSON object per output line)."""
    text = "".join(line + "\n" for line in lines).encode()
    rc, out, err = run(*args, "batch", stdin=text)
    assert "runtime error" not in err and "Sanitizer" not in err, err
    return rc, [json.loads(line) for line in out.splitlines()]


def ok(*lines):
    """A batch in which every line must succeed; the results."""
    rc, res = batch(*lines)
    errors = [r for r in res if "error" in r]
    assert rc == 0 and not errors, errors
    assert len(res) == len(lines)
    return res


def last(*lines):
    """The result of the last line of a batch (earlier lines must succeed)."""
    rc, res = batch(*lines)
    assert len(res) == len(lines)
    assert all("error" not in r for r in res[:-1]), res
    return res[-1]


def error_of(*lines):
    """The error object of the last line (the earlier ones must succeed)."""
    r = last(*lines)
    assert "error" in r, r
    assert r["line"] == len(lines)
    return r["error"]


def allocs(prefix, n, setup=(), opts=""):
    res = ok(*setup, *[f"ip alloc {prefix} {opts}".strip()] * n)
    return [r["address"] for r in res[len(setup):]]


# ---- exit codes, usage, global options ----

def test_version_and_help():
    rc, out, _ = run("--version")
    assert rc == 0 and out.startswith("ipamctl 0.1.0")
    rc, out, _ = run("--help")
    assert rc == 0
    for cmd in ("space add NAME", "prefix alloc PARENT --length N", "ip alloc PREFIX",
                "range add FIRST LAST", "find ADDR|CIDR", "util CIDR", "batch"):
        assert cmd in out
    rc, out, _ = run("prefix", "add", "--help")
    assert rc == 0 and out.startswith("usage: ipamctl") and "prefix add CIDR" in out


def test_exit_code_ok():
    rc, out, err = run("space", "list")
    assert (rc, out, err) == (0, "default\n", "")
    rc, out, _ = run("--json", "space", "list")
    assert rc == 0 and json.loads(out) == {"space": "default", "labels": {}}


def test_exit_code_error_human():
    rc, out, err = run("prefix", "rm", "10.0.0.0/24")
    assert rc == 1 and out == ""
    assert err == 'ipamctl: error: prefix 10.0.0.0/24 not found in space "default"\n'


def test_exit_code_error_json():
    rc, out, err = run("--json", "prefix", "add", "10.1.2.3/24")
    assert rc == 1 and err == ""
    assert json.loads(out) == {"error": {
        "code": "INVAL", "message": "10.1.2.3/24: host bits set; did you mean 10.1.2.0/24?"}}


@pytest.mark.parametrize("argv,msg", [
    ([], "no command given"),
    (["bogus"], "unknown command 'bogus'"),
    (["prefix"], "'prefix' needs a subcommand: add, list, rm, alloc"),
    (["prefix", "frob"], "unknown command 'prefix frob'"),
    (["prefix", "add"], "prefix add: missing argument CIDR"),
    (["range", "add", "10.0.0.1"], "range add: missing argument LAST"),
    (["prefix", "list", "--bogus"], "prefix list: unknown option '--bogus'"),
    (["prefix", "list", "--hostname", "x"], "prefix list: unknown option '--hostname'"),
    (["prefix", "list", "--space"], "prefix list: option --space needs a value"),
    (["prefix", "list", "--space", "a", "--space", "b"], "option --space given more than once"),
    (["prefix", "add", "10.0.0.0/8", "--pool=yes"], "option --pool takes no value"),
    (["prefix", "rm", "10.0.0.0/8", "10.0.0.0/9"], "prefix rm: unexpected argument '10.0.0.0/9'"),
    (["prefix", "alloc", "10.0.0.0/8"], "option --length is required"),
    (["range", "add", "10.0.0.1", "10.0.0.2"], "option --purpose is required"),
    (["--frob", "space", "list"], "unknown option '--frob'"),
    (["--db"], "option --db needs a value"),
    (["space", "list", "-x"], "unknown option '-x'"),
])
def test_usage_errors(argv, msg):
    for json_flag in ([], ["--json"]):
        rc, out, err = run(*json_flag, *argv)
        assert rc == 2, (argv, out, err)
        assert out == ""
        assert msg in err
        assert "usage:" in err.lower() or "ipamctl --help" in err


def test_db_option_and_env():
    rc, _, err = run("--db", "nosuch:", "space", "list")
    assert rc == 1 and "nosuch:" in err
    rc, _, err = run("space", "list", env={**ENV, "IPAM_DB": "nosuch:"})
    assert rc == 1 and "nosuch:" in err
    rc, out, _ = run("--db=memory:", "space", "list", env={**ENV, "IPAM_DB": "nosuch:"})
    assert rc == 0 and out == "default\n"


def test_human_output():
    rc, out, _ = run("prefix", "add", "10.0.0.0/8", "--status", "container", "--description", "core net")
    assert rc == 0 and out.split() == ["10.0.0.0/8", "container", "-", "core", "net"]
    rc, out, _ = run("ip", "add", "10.0.0.7", "--hostname", "h.example", "--mac", "00-11-22-33-44-55")
    assert rc == 0 and out.split() == ["10.0.0.7", "active", "h.example", "00:11:22:33:44:55", "-"]
    rc, out, _ = run("util", "10.0.0.0/24")
    assert rc == 0 and out == "10.0.0.0/24  total 256  used 0 (0.00%)  free 256\n"
    rc, out, _ = run("space", "add", "blue", "--label", "env=prod", "--label", "region=eu")
    assert rc == 0 and out == "blue  env=prod,region=eu\n"


# ---- JSON shapes ----

def test_ip_alloc_json_shape():
    r = last("prefix add 10.0.0.0/24",
             "ip alloc 10.0.0.0/24 --hostname web1.example.com --mac AA-BB-CC-DD-EE-FF "
             "--description 'front end' --status reserved")
    assert set(r) == IP_KEYS
    assert r == {"address": "10.0.0.1", "space": "default", "prefix": "10.0.0.0/24",
                 "hostname": "web1.example.com", "mac": "aa:bb:cc:dd:ee:ff", "status": "reserved",
                 "description": "front end", "attrs": {}}


def test_ip_alloc_reports_most_specific_prefix():
    r = last("prefix add 10.0.0.0/8", "prefix add 10.0.0.0/24 --pool", "ip alloc 10.0.0.0/24")
    assert r["address"] == "10.0.0.0" and r["prefix"] == "10.0.0.0/24"


def test_prefix_alloc_json_shape():
    r = last("space add s1", "prefix add 10.0.0.0/16 --space s1 --status container",
             "prefix alloc 10.0.0.0/16 --length 24 --space s1 --status reserved --description 'lab net' "
             "--attr site=ams --attr rack=7")
    assert set(r) == PREFIX_KEYS
    assert r == {"prefix": "10.0.0.0/24", "space": "s1", "status": "reserved", "pool": False,
                 "description": "lab net", "attrs": {"site": "ams", "rack": "7"},
                 "parent": "10.0.0.0/16", "depth": 1}


def test_attrs_and_labels_are_objects():
    res = ok("space add red --label provider=aws --label region=eu-west-1",
             "prefix add 10.0.0.0/8 --attr owner=alice --attr 'note=a b' --attr owner=bob",
             "ip add 10.0.0.5 --attr role=db",
             "range add 10.0.0.10 10.0.0.20 --purpose dhcp --attr k=v=w")
    assert res[0] == {"space": "red", "labels": {"provider": "aws", "region": "eu-west-1"}}
    assert res[1]["attrs"] == {"owner": "bob", "note": "a b"}
    assert res[2]["attrs"] == {"role": "db"}
    assert res[3]["attrs"] == {"k": "v=w"}


def test_list_commands_print_items():
    res = ok("space add blue",
             "prefix add 10.0.0.0/8 --status container",
             "prefix add 10.1.0.0/16",
             "prefix add 192.168.0.0/24",
             "ip add 10.1.0.5",
             "ip add 192.168.0.9 --hostname printer",
             "range add 10.1.0.100 10.1.0.199 --purpose dhcp --description pool1",
             "range add 192.168.0.200 192.168.0.250 --purpose excluded",
             "space list", "prefix list", "prefix list --within 10.0.0.0/8",
             "ip list", "ip list --within 192.168.0.0/16", "range list", "range list --within 10.0.0.0/8",
             "prefix list --space blue")
    spaces, prefixes, within, ips, ips_within, ranges, ranges_within, blue = [r["items"] for r in res[8:]]
    assert [s["space"] for s in spaces] == ["blue", "default"]
    assert [p["prefix"] for p in prefixes] == ["10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/24"]
    assert all(set(p) == PREFIX_KEYS for p in prefixes)
    assert [(p["parent"], p["depth"]) for p in prefixes] == [(None, 0), ("10.0.0.0/8", 1), (None, 0)]
    assert [p["prefix"] for p in within] == ["10.0.0.0/8", "10.1.0.0/16"]
    assert [(i["address"], i["prefix"]) for i in ips] == [("10.1.0.5", "10.1.0.0/16"),
                                                          ("192.168.0.9", "192.168.0.0/24")]
    assert [i["hostname"] for i in ips_within] == ["printer"]
    assert ranges[0] == {"first": "10.1.0.100", "last": "10.1.0.199", "space": "default", "purpose": "dhcp",
                         "size": 100, "description": "pool1", "attrs": {}}
    assert [(r["first"], r["purpose"], r["size"]) for r in ranges] == [
        ("10.1.0.100", "dhcp", 100), ("192.168.0.200", "excluded", 51)]
    assert [r["first"] for r in ranges_within] == ["10.1.0.100"]
    assert blue == []


def test_list_json_streams_one_object_per_line():
    rc, out, _ = run("--json", "space", "list")
    assert rc == 0 and [json.loads(x) for x in out.splitlines()] == [{"space": "default", "labels": {}}]


# ---- errors ----

def test_exists_in_one_space_but_not_another():
    rc, res = batch("space add blue",
                    "prefix add 10.0.0.0/24",
                    "prefix add 10.0.0.0/24",
                    "prefix add 10.0.0.0/24 --space blue",
                    "ip add 10.0.0.5",
                    "ip add 10.0.0.5",
                    "ip add 10.0.0.5 --space blue",
                    "space add blue")
    assert rc == 1
    assert res[2] == {"error": {"code": "EXISTS",
                                "message": 'prefix 10.0.0.0/24 already exists in space "default"'}, "line": 3}
    assert res[3]["space"] == "blue"
    assert res[5]["error"]["code"] == "EXISTS" and res[5]["line"] == 6 and "10.0.0.5" in res[5]["error"]["message"]
    assert res[6]["address"] == "10.0.0.5" and res[6]["space"] == "blue"
    assert res[7]["error"]["code"] == "EXISTS"


@pytest.mark.parametrize("line", [
    "prefix rm 10.0.0.0/24",
    "ip release 10.0.0.1",
    "ip show 10.0.0.1",
    "ip alloc 10.0.0.0/24",
    "prefix alloc 10.0.0.0/24 --length 26",
    "space rm nosuch",
    "range rm 10.0.0.1 10.0.0.9",
    "prefix add 10.0.0.0/24 --space nosuch",
    "find 10.0.0.1",
])
def test_notfound(line):
    assert error_of(line)["code"] == "NOTFOUND"


def test_inval_host_bits():
    assert error_of("prefix add 10.1.2.3/24") == {
        "code": "INVAL", "message": "10.1.2.3/24: host bits set; did you mean 10.1.2.0/24?"}
    e = error_of("ip list --within 10.1.2.3/24")
    assert e["code"] == "INVAL" and e["message"].startswith("--within: 10.1.2.3/24: host bits set")


@pytest.mark.parametrize("line,needle", [
    ("prefix alloc 10.0.0.0/8 --length abc", "--length: 'abc'"),
    ("prefix alloc 10.0.0.0/8 --length 129", "--length: '129'"),
    ("prefix alloc 10.0.0.0/8 --length 024", "--length: '024'"),
    ("prefix alloc 10.0.0.0/8 --length 24 --policy worst-fit", "--policy: 'worst-fit'"),
    ("prefix add 10.0.0.0/8 --status dhcp", "--status: 'dhcp'"),
    ("ip add 10.0.0.1 --status container", "--status: 'container'"),
    ("range add 10.0.0.1 10.0.0.2 --purpose party", "--purpose: 'party'"),
    ("prefix add 10.0.0.0/8 --attr novalue", "--attr: 'novalue' is not KEY=VALUE"),
    ("space add x --label =v", "--label: '=v' is not KEY=VALUE"),
    ("ip add 10.0.0.1 --mac zz:zz", "--mac: "),
    ("ip add 10.0.0.256", "10.0.0.256"),
    ("ip add 010.0.0.1", "010.0.0.1"),
    ("prefix add 10.0.0.0/33", "10.0.0.0/33"),
    ("ip add 10.0.0.1 --hostname 'bad name'", "bad name"),
    ("range add 10.0.0.9 10.0.0.1 --purpose dhcp", ""),
    ("range add 10.0.0.1 2001:db8::1 --purpose dhcp", ""),
    ("space add 'no spaces allowed'", ""),
])
def test_inval_names_option_and_value(line, needle):
    e = error_of(line)
    assert e["code"] == "INVAL"
    assert needle in e["message"]


def test_exhausted_names_prefix_and_space():
    rc, res = batch("space add lab", "prefix add 10.9.9.0/30 --space lab",
                    "ip alloc 10.9.9.0/30 --space lab", "ip alloc 10.9.9.0/30 --space lab",
                    "ip alloc 10.9.9.0/30 --space lab",
                    "prefix alloc 10.9.9.0/30 --length 31 --space lab")
    assert rc == 1
    assert [r.get("address") for r in res[2:4]] == ["10.9.9.1", "10.9.9.2"]
    for r in res[4:]:
        assert r["error"]["code"] == "EXHAUSTED"
        assert "10.9.9.0/30" in r["error"]["message"] and "lab" in r["error"]["message"]


def test_space_rm_rules():
    rc, res = batch("space add blue", "prefix add 10.0.0.0/8 --space blue", "space rm blue",
                    "prefix rm 10.0.0.0/8 --space blue", "space rm blue", "space list", "space rm default")
    assert res[2]["error"]["code"] == "INUSE"
    assert res[3] == {"removed": True, "prefix": "10.0.0.0/8", "space": "blue"}
    assert res[4] == {"removed": True, "space": "blue"}
    assert [s["space"] for s in res[5]["items"]] == ["default"]
    assert res[6]["error"]["code"] == "PERM"


# ---- allocation semantics ----

def test_first_alloc_skips_network_and_broadcast():
    assert allocs("10.0.0.0/24", 3, ["prefix add 10.0.0.0/24"]) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    e = error_of("prefix add 10.0.0.0/30", "ip alloc 10.0.0.0/30", "ip alloc 10.0.0.0/30", "ip alloc 10.0.0.0/30")
    assert e["code"] == "EXHAUSTED"


def test_broadcast_is_never_allocated():
    got = allocs("10.0.0.0/29", 6, ["prefix add 10.0.0.0/29"])
    assert got == [f"10.0.0.{i}" for i in range(1, 7)]
    assert error_of("prefix add 10.0.0.0/29", *["ip alloc 10.0.0.0/29"] * 7)["code"] == "EXHAUSTED"


def test_slash31_slash32_and_pools_use_every_address():
    assert allocs("10.0.0.0/31", 2, ["prefix add 10.0.0.0/31"]) == ["10.0.0.0", "10.0.0.1"]
    assert allocs("10.0.0.7/32", 1, ["prefix add 10.0.0.7/32"]) == ["10.0.0.7"]
    assert allocs("10.0.0.0/30", 4, ["prefix add 10.0.0.0/30 --pool"]) == [f"10.0.0.{i}" for i in range(4)]
    assert error_of("prefix add 10.0.0.0/31", *["ip alloc 10.0.0.0/31"] * 3)["code"] == "EXHAUSTED"


def test_ipv6_skips_subnet_router_anycast():
    assert allocs("2001:db8::/64", 2, ["prefix add 2001:db8::/64"]) == ["2001:db8::1", "2001:db8::2"]
    assert allocs("2001:db8::/127", 2, ["prefix add 2001:db8::/127"]) == ["2001:db8::", "2001:db8::1"]
    assert allocs("2001:db8::/126", 2, ["prefix add 2001:db8::/126 --pool"]) == ["2001:db8::", "2001:db8::1"]
    # no broadcast in IPv6: the last address is handed out
    assert allocs("2001:db8::/126", 3, ["prefix add 2001:db8::/126"])[-1] == "2001:db8::3"


def test_ranges_are_skipped():
    got = allocs("10.0.0.0/24", 2, ["prefix add 10.0.0.0/24", "range add 10.0.0.1 10.0.0.5 --purpose dhcp",
                                    "range add 10.0.0.7 10.0.0.7 --purpose reserved"])
    assert got == ["10.0.0.6", "10.0.0.8"]
    # removing the range frees its addresses again
    got = allocs("10.0.0.0/24", 1, ["prefix add 10.0.0.0/24", "range add 10.0.0.1 10.0.0.5 --purpose excluded",
                                    "range rm 10.0.0.1 10.0.0.5"])
    assert got == ["10.0.0.1"]


def test_child_prefixes_and_taken_addresses_are_skipped():
    got = allocs("10.0.0.0/16", 2, ["prefix add 10.0.0.0/16", "prefix add 10.0.0.0/24", "ip add 10.0.1.1"])
    assert got == ["10.0.1.0", "10.0.1.2"]


def test_release_then_alloc_returns_freed_address():
    res = ok("prefix add 10.0.0.0/24", "ip alloc 10.0.0.0/24", "ip alloc 10.0.0.0/24", "ip alloc 10.0.0.0/24",
             "ip release 10.0.0.2", "ip alloc 10.0.0.0/24", "ip alloc 10.0.0.0/24")
    assert res[4] == {"released": True, "address": "10.0.0.2", "space": "default"}
    assert [res[5]["address"], res[6]["address"]] == ["10.0.0.2", "10.0.0.4"]
    rc, res = batch("ip release 10.0.0.2")
    assert rc == 1 and res[0]["error"]["code"] == "NOTFOUND"


def test_ip_show_and_release_in_space():
    rc, res = batch("space add blue", "prefix add 10.0.0.0/24 --space blue",
                    "ip alloc 10.0.0.0/24 --space blue --hostname a", "ip show 10.0.0.1 --space blue",
                    "ip show 10.0.0.1", "ip release 10.0.0.1 --space blue", "ip show 10.0.0.1 --space blue")
    assert res[3]["hostname"] == "a" and res[3]["space"] == "blue"
    assert res[4]["error"]["code"] == "NOTFOUND"
    assert res[5]["released"] is True
    assert res[6]["error"]["code"] == "NOTFOUND"


SETUP_FIT = ["prefix add 10.0.0.0/21", "prefix add 10.0.2.0/24", "prefix add 10.0.4.0/22"]


def test_prefix_alloc_first_fit():
    got = ok(*SETUP_FIT, "prefix alloc 10.0.0.0/21 --length 24", "prefix alloc 10.0.0.0/21 --length 24 "
             "--policy first-fit", "prefix alloc 10.0.0.0/21 --length 24")
    assert [r["prefix"] for r in got[3:]] == ["10.0.0.0/24", "10.0.1.0/24", "10.0.3.0/24"]
    assert error_of(*SETUP_FIT, "prefix alloc 10.0.0.0/21 --length 23",
                    "prefix alloc 10.0.0.0/21 --length 23")["code"] == "EXHAUSTED"


def test_prefix_alloc_best_fit():
    got = ok(*SETUP_FIT, "prefix alloc 10.0.0.0/21 --length 24 --policy best-fit",
             "prefix alloc 10.0.0.0/21 --length 24 --policy best-fit")
    # the smallest free block that fits is 10.0.3.0/24, kept whole 10.0.0.0/23 is carved next
    assert [r["prefix"] for r in got[3:]] == ["10.0.3.0/24", "10.0.0.0/24"]


def test_prefix_alloc_length_must_be_longer():
    e = error_of("prefix add 10.0.0.0/24", "prefix alloc 10.0.0.0/24 --length 24")
    assert e["code"] == "INVAL"


def test_prefix_alloc_skips_addresses_and_ranges():
    got = ok("prefix add 10.0.0.0/24", "ip add 10.0.0.1", "range add 10.0.0.64 10.0.0.64 --purpose reserved",
             "prefix alloc 10.0.0.0/24 --length 26")
    assert got[-1]["prefix"] == "10.0.0.128/26"


# ---- find and util ----

def test_find_prints_chain_and_marks_longest_match():
    setup = ["prefix add 10.0.0.0/8 --status container", "prefix add 10.1.0.0/16",
             "prefix add 10.1.2.0/24", "prefix add 10.1.3.0/24"]
    res = ok(*setup, "find 10.1.2.77", "find 10.1.0.0/16", "find 10.1.2.0/25", "find 10.200.0.1")
    chain = res[4]["items"]
    assert [p["prefix"] for p in chain] == ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"]
    assert [p["longest_match"] for p in chain] == [False, False, True]
    assert all(set(p) == PREFIX_KEYS | {"longest_match"} for p in chain)
    assert [(p["prefix"], p["longest_match"]) for p in res[5]["items"]] == [
        ("10.0.0.0/8", False), ("10.1.0.0/16", True)]
    assert [p["prefix"] for p in res[6]["items"]][-1] == "10.1.2.0/24"
    assert [p["prefix"] for p in res[7]["items"]] == ["10.0.0.0/8"]
    e = error_of(*setup, "find 192.168.1.1")
    assert e["code"] == "NOTFOUND" and "192.168.1.1" in e["message"]


def test_find_in_space():
    res = ok("space add blue", "prefix add 10.0.0.0/8", "prefix add 10.0.0.0/16 --space blue",
             "find 10.0.0.1 --space blue")
    assert [(p["prefix"], p["space"]) for p in res[-1]["items"]] == [("10.0.0.0/16", "blue")]


def test_util_ipv4():
    r = last("prefix add 10.0.0.0/24", "prefix add 10.0.0.128/25", "ip add 10.0.0.1", "ip add 10.0.0.2",
             "range add 10.0.0.10 10.0.0.19 --purpose dhcp", "util 10.0.0.0/24")
    assert r == {"cidr": "10.0.0.0/24", "space": "default", "total": 256, "used": 140, "free": 116,
                 "used_percent": pytest.approx(100 * 140 / 256)}
    r = last("util 0.0.0.0/0")
    assert r["total"] == 4294967296 and r["used"] == 0 and r["used_percent"] == 0


def test_util_ipv6_counts_and_big_numbers():
    r = last("prefix add 2001:db8::/48", "prefix add 2001:db8:0:1::/64", "util 2001:db8::/48")
    assert r["total"] == str(2 ** 80) and r["used"] == str(2 ** 64) and r["free"] == str(2 ** 80 - 2 ** 64)
    assert r["free_64s"] == 65535
    assert r["used_percent"] == pytest.approx(100 / 65536)
    # numbers below 2^53 are JSON numbers, from 2^53 on decimal strings
    assert last("util 2001:db8::/76")["total"] == 2 ** 52
    assert last("util 2001:db8::/75")["total"] == str(2 ** 53)
    assert last("util ::/0")["total"] == str(2 ** 128 - 1)
    assert "free_64s" not in last("util 10.0.0.0/8")


def test_util_unknown_space():
    assert error_of("util 10.0.0.0/8 --space nosuch")["code"] == "NOTFOUND"


# ---- batch ----

def test_batch_keeps_going_and_numbers_lines():
    rc, res = batch("# a comment",
                    "",
                    "prefix add 10.0.0.0/24",
                    "   ",
                    "prefix add 10.0.0.0/24",
                    "  # indented comment",
                    "frobnicate",
                    "ip alloc 10.0.0.0/24   # trailing comment",
                    "prefix list --nope",
                    "batch",
                    "ip alloc 10.0.0.0/24")
    assert rc == 1
    assert len(res) == 7
    assert res[1]["line"] == 5 and res[1]["error"]["code"] == "EXISTS"
    assert res[2] == {"error": {"code": "USAGE", "message": "unknown command 'frobnicate'"}, "line": 7}
    assert res[3]["address"] == "10.0.0.1"
    assert res[4]["error"]["code"] == "USAGE" and "--nope" in res[4]["error"]["message"]
    assert res[4]["line"] == 9
    assert res[5]["error"]["code"] == "USAGE" and res[5]["line"] == 10
    assert res[6]["address"] == "10.0.0.2"


def test_batch_exit_zero_when_all_succeed():
    rc, res = batch("prefix add 10.0.0.0/24", "ip alloc 10.0.0.0/24")
    assert rc == 0 and len(res) == 2
    rc, res = batch()
    assert rc == 0 and res == []


def test_batch_is_json_even_without_flag_and_with_it():
    for args in ((), ("--json",)):
        rc, res = batch("space list", args=args)
        assert rc == 0 and res == [{"items": [{"space": "default", "labels": {}}]}]


def test_batch_quoting():
    res = ok("prefix add 10.0.0.0/8 --description 'single quoted  \"text\"'",
             'prefix add 10.1.0.0/16 --description "double \\"quoted\\" \\\\ $x \\n"',
             "prefix add 10.2.0.0/16 --description back\\ slash\\'s",
             "prefix add 10.3.0.0/16 --description ''",
             "prefix add 10.4.0.0/16 --description=a'b c'\"d e\"",
             "prefix add 10.5.0.0/16 --description '#not a comment'",
             "space add 'x'y\"z\"")
    assert [r.get("description") for r in res[:6]] == [
        'single quoted  "text"', 'double "quoted" \\ $x \\n', "back slash's", "", "ab cd e", "#not a comment"]
    assert res[6]["space"] == "xyz"


@pytest.mark.parametrize("line,msg", [
    ("prefix add 10.0.0.0/8 --description 'open", "unterminated single quote"),
    ('prefix add 10.0.0.0/8 --description "open', "unterminated double quote"),
    ("prefix add 10.0.0.0/8 \\", "a backslash ends the line"),
])
def test_batch_bad_quoting_is_usage_error(line, msg):
    rc, res = batch("space list", line, "space list")
    assert rc == 1 and len(res) == 3
    assert res[1] == {"error": {"code": "USAGE", "message": msg}, "line": 2}


def test_batch_nul_byte_and_crlf():
    rc, out, _ = run("batch", stdin=b"space list\r\nprefix add 10.0.0.0/8\x00junk\nspace list\n")
    res = [json.loads(x) for x in out.splitlines()]
    assert rc == 1 and len(res) == 3
    assert res[0]["items"][0]["space"] == "default"
    assert res[1]["error"]["code"] == "USAGE" and res[1]["line"] == 2


def test_batch_survives_garbage():
    rnd = random.Random(1234)
    words = ["prefix", "ip", "range", "space", "find", "util", "add", "alloc", "list", "rm", "show", "release",
             "10.0.0.0/8", "10.0.0.1", "2001:db8::/64", "::", "--space", "--status", "--length", "--pool",
             "--attr", "--label", "--mac", "--within", "--policy", "--purpose", "--description", "k=v", "'",
             '"', "\\", "--", "-", "=", "--x=", "\xff\xfe", "é", "\t", "999999999999", "/", "..", "ff:ff"]
    lines = []
    for _ in range(3000):
        n = rnd.randint(1, 8)
        tail = " ".join(rnd.choice(words) for _ in range(n))
        lines.append(rnd.choice(["prefix", "ip", "range", "space", "find", "util", "zz"]) + " " + tail)
    data = "".join(line + "\n" for line in lines).encode("utf-8", "surrogateescape")
    rc, out, err = run("batch", stdin=data)
    assert "Sanitizer" not in err and "runtime error" not in err
    res = [json.loads(x) for x in out.splitlines()]
    assert rc in (0, 1) and len(res) == len(lines)
    for i, r in enumerate(res):
        if "error" in r:
            assert r["line"] == i + 1
            assert r["error"]["code"] in {"USAGE", "INVAL", "NOTFOUND", "EXISTS", "EXHAUSTED", "INUSE", "PERM"}


def test_batch_invalid_utf8_still_valid_json():
    rc, out, _ = run("batch", stdin=b"bogus\xff\xfe\n")
    r = json.loads(out)  # run() decoded it as strict UTF-8
    assert rc == 1 and r["error"]["code"] == "USAGE" and "bogus\ufffd\ufffd" in r["error"]["message"]


def test_batch_help_line():
    rc, res = batch("ip alloc --help")
    assert rc == 0 and res[0]["usage"].startswith("usage: ipamctl") and "ip alloc PREFIX" in res[0]["usage"]


def test_batch_100k_allocations():
    n = 100_000
    data = ("prefix add 10.0.0.0/8\n" + "ip alloc 10.0.0.0/8\n" * n + "ip list --within 10.1.134.0/24\n"
            "util 10.0.0.0/8\n").encode()
    rc, out, err = run("batch", stdin=data)
    assert rc == 0, err[-2000:]
    lines = out.splitlines()
    assert len(lines) == n + 3
    # allocation n is 10.0.0.0 + n: 100000 = 1*65536 + 134*256 + 160
    assert json.loads(lines[n])["address"] == "10.1.134.160"
    assert json.loads(lines[1])["address"] == "10.0.0.1"
    listed = json.loads(lines[n + 1])["items"]
    assert [i["address"] for i in listed] == [f"10.1.134.{k}" for k in range(161)]
    util = json.loads(lines[n + 2])
    assert util["used"] == n and util["free"] == 2 ** 24 - n


def test_exclusive_refuses_overlaps():
    e = error_of("prefix add 10.0.0.0/16 --exclusive", "prefix add 10.0.1.0/24 --exclusive")
    assert e["code"] == "EXISTS"
    assert e["message"] == 'prefix 10.0.1.0/24 overlaps 10.0.0.0/16 in space "default"'
    e = error_of("prefix add 10.0.1.0/24", "prefix add 10.0.0.0/8 --exclusive")
    assert e["code"] == "EXISTS" and "overlaps 10.0.1.0/24" in e["message"]
    # without the flag nesting is allowed, and other spaces are independent
    r = ok("prefix add 10.0.0.0/16 --exclusive", "prefix add 10.0.1.0/24",
           "space add blue", "prefix add 10.0.1.0/24 --space blue --exclusive")
    assert r[1]["parent"] == "10.0.0.0/16" and r[3]["parent"] is None
