"""End-to-end tests of ipamctl.

A memory: database lives only inside one process, so state is built and
checked through `ipamctl batch`; single invocations test the exit codes,
usage errors and human output. IPAMCTL names the binary (set by meson).
"""
import json
import os
import random
import shutil
import re
import subprocess

import pytest

IPAMCTL = os.environ.get("IPAMCTL")
if not IPAMCTL:
    raise RuntimeError("set IPAMCTL to the ipamctl binary (meson test does)")

ENV = {k: v for k, v in os.environ.items()
       if k not in ("IPAM_DB", "IPAM_KEY", "IPAM_KEY_FILE", "IPAM_NEW_KEY")}

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
    assert rc == 0 and re.fullmatch(r"ipamctl \d+\.\d+\.\d+ \(libipam \d+\.\d+\.\d+\)\n", out), out
    rc, out, _ = run("--help")
    assert rc == 0
    for cmd in ("space add NAME", "prefix alloc PARENT --length N", "ip alloc PREFIX",
                "range add FIRST LAST", "find ADDR|CIDR", "util CIDR", "batch [--atomic]",
                "audit log [--from N] [--json]", "audit verify [--public-key FILE]",
                "audit keygen --secret-key FILE --public-key FILE", "audit sign --secret-key FILE",
                "export [-o FILE]", "import json FILE", "rekey [--new-key-file FILE]", "check",
                "--key-file FILE", "--actor NAME", "--durable"):
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
    (["prefix"], "'prefix' needs a subcommand: add, set, list, rm, alloc"),
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
    (["audit"], "'audit' needs a subcommand: log, verify, keygen, sign"),
    (["import"], "'import' needs a subcommand: json"),
    (["import", "json"], "import json: missing argument FILE"),
    (["audit", "sign"], "audit sign: option --secret-key is required"),
    (["audit", "keygen", "--public-key", "p"], "options --secret-key and --public-key are required"),
    (["audit", "log", "--from"], "audit log: option --from needs a value"),
    (["export", "-o"], "export: option --output needs a value"),
    (["batch", "--atomic=yes"], "option --atomic takes no value"),
    (["check", "extra"], "check: unexpected argument 'extra'"),
    (["--key-file"], "option --key-file needs a value"),
    (["--actor"], "option --actor needs a value"),
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
    line, note = out.splitlines()
    assert rc == 0 and line.split() == ["10.0.0.7", "active", "h.example", "00:11:22:33:44:55", "-"]
    assert note == "; no zone is bound to space default: no record for h.example"
    rc, out, _ = run("util", "10.0.0.0/24")
    assert rc == 0 and out == "10.0.0.0/24  total 256  used 0 (0.00%)  free 256\n"
    rc, out, _ = run("space", "add", "blue", "--label", "env=prod", "--label", "region=eu")
    assert rc == 0 and out == "blue  env=prod,region=eu\n"


# ---- JSON shapes ----

def test_ip_alloc_json_shape():
    r = last("prefix add 10.0.0.0/24",
             "ip alloc 10.0.0.0/24 --hostname web1.example.com --mac AA-BB-CC-DD-EE-FF "
             "--description 'front end' --status reserved")
    assert set(r) == IP_KEYS | {"dns"}
    assert r == {"address": "10.0.0.1", "space": "default", "prefix": "10.0.0.0/24",
                 "hostname": "web1.example.com", "mac": "aa:bb:cc:dd:ee:ff", "status": "reserved",
                 "description": "front end", "attrs": {},
                 # a host name and no zone: the address is there, and the result says why no record is
                 "dns": {"records": [], "notes": ["no zone is bound to space default: no record for web1.example.com"]}}
    # without a host name there is nothing to say about DNS
    assert set(last("prefix add 10.0.0.0/24", "ip alloc 10.0.0.0/24")) == IP_KEYS


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


def test_ip_set_changes_in_place():
    rc, res = batch("prefix add 10.0.0.0/24", "zone add example.test --ns ns1.example.test.",
                    "ip alloc 10.0.0.0/24 --hostname a.example.test --mac 00:11:22:33:44:55 --description d",
                    "ip set 10.0.0.1 --hostname b.example.test",
                    "ip set 10.0.0.1 --description '' --status reserved --attr rack=r1",
                    "ip set 10.0.0.1", "ip set 10.0.0.9 --status reserved", "ip set 10.0.0.1 --mac zz",
                    "ip show 10.0.0.1", "audit log")
    assert res[3]["hostname"] == "b.example.test" and res[3]["mac"] == "00:11:22:33:44:55"
    assert res[3]["description"] == "d"
    assert res[3]["dns"]["records"] == ["b.example.test. A 10.0.0.1 (zone example.test., view default)"]
    assert res[4]["description"] is None and res[4]["status"] == "reserved"
    assert res[4]["attrs"] == {"rack": "r1"} and res[4]["hostname"] == "b.example.test"
    assert res[5]["error"]["code"] == "INVAL" and "nothing to change" in res[5]["error"]["message"]
    assert res[6]["error"]["code"] == "NOTFOUND"
    assert res[7]["error"]["code"] == "INVAL"
    assert res[8] == res[4]
    log = res[9]["items"]
    assert [e["action"] for e in log].count("address.update") == 2
    alloc, update = log[-3], log[-1]
    assert alloc["action"] == "address.alloc" and update["action"] == "address.update"
    # the same object: id and creation time kept
    assert update["after"]["id"] == alloc["after"]["id"] == update["before"]["id"]
    assert update["after"]["created"] == alloc["after"]["created"]
    assert update["before"]["status"] == "active" and update["after"]["status"] == "reserved"


def test_prefix_set_changes_in_place():
    rc, res = batch("prefix add 10.0.0.0/30 --description link", "ip alloc 10.0.0.0/30",
                    "prefix set 10.0.0.0/30 --pool --attr site=a", "ip alloc 10.0.0.0/30",
                    "prefix set 10.0.0.0/30 --no-pool --description '' --status reserved",
                    "prefix set 10.0.0.0/30", "prefix set 10.0.0.0/30 --pool --no-pool",
                    "prefix set 10.9.0.0/24 --pool", "audit log")
    assert res[1]["address"] == "10.0.0.1"
    assert res[2]["pool"] is True and res[2]["attrs"] == {"site": "a"} and res[2]["description"] == "link"
    assert res[3]["address"] == "10.0.0.0"  # a pool hands out its first address too
    assert res[4]["pool"] is False and res[4]["description"] is None and res[4]["status"] == "reserved"
    assert res[4]["attrs"] == {"site": "a"}
    assert res[5]["error"]["code"] == "INVAL" and res[6]["error"]["code"] == "INVAL"
    assert res[7]["error"]["code"] == "NOTFOUND"
    log = [e for e in res[8]["items"] if e["object"] == "prefix default 10.0.0.0/30"]
    assert [e["action"] for e in log] == ["prefix.add", "prefix.update", "prefix.update"]
    assert log[2]["after"]["id"] == log[0]["after"]["id"] and log[2]["after"]["created"] == log[0]["after"]["created"]


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


# ---- an encrypted file: init, keys, audit, export/import, rekey ----
#
# Every invocation opens the file again, so these tests also check that
# state carries from one process to the next.

PASS = "correct horse battery staple"


def frun(db, *args, key=PASS, stdin=b"", env=None):
    """Run ipamctl on the file db with the passphrase key (None: no key)."""
    e = dict(ENV if env is None else env)
    if key is not None:
        e["IPAM_KEY"] = key
    rc, out, err = run("--db", str(db), *args, stdin=stdin, env=e)
    assert "Traceback" not in err and "Sanitizer" not in err and "runtime error" not in err, err
    assert rc >= 0, f"ipamctl died of signal {-rc}: {err}"
    return rc, out, err


def fok(db, *args, **kw):
    """Run on the file; it must succeed. Its stdout."""
    rc, out, err = frun(db, *args, **kw)
    assert rc == 0 and err == "", (args, rc, out, err)
    return out


def fjson(db, *args, **kw):
    """Run with --json on the file; the parsed output lines."""
    return [json.loads(x) for x in fok(db, "--json", *args, **kw).splitlines()]


def fbatch(db, *lines, args=(), key=PASS):
    text = "".join(line + "\n" for line in lines).encode()
    rc, out, err = frun(db, "batch", *args, stdin=text, key=key)
    return rc, [json.loads(x) for x in out.splitlines()]


def new_db(tmp_path, name="ipam.db", *init_args, **kw):
    db = tmp_path / name
    r = fjson(db, *init_args, "init", **kw)
    assert r == [{"db": str(db), "version": r[0]["version"], "encrypted": True}]
    assert db.exists()
    return db


def export_text(db, **kw):
    return fok(db, "export", **kw)


def test_init_then_use_across_invocations(tmp_path):
    db = new_db(tmp_path)
    assert fok(db, "space", "add", "lab", "--label", "site=par1") == "lab  site=par1\n"
    fok(db, "prefix", "add", "10.20.0.0/16", "--space", "lab", "--status", "container")
    fok(db, "prefix", "alloc", "10.20.0.0/16", "--length", "24", "--space", "lab")
    got = fjson(db, "ip", "alloc", "10.20.0.0/24", "--space", "lab", "--hostname", "web1.lab.example.net",
                "--mac", "52:54:00:12:34:01")
    assert got[0]["address"] == "10.20.0.1"
    # each of these is a new process that reads what the earlier ones wrote
    got = fjson(db, "ip", "alloc", "10.20.0.0/24", "--space", "lab")
    assert got[0]["address"] == "10.20.0.2"
    ips = fjson(db, "ip", "list", "--space", "lab")
    assert [(i["address"], i["hostname"], i["mac"]) for i in ips] == [
        ("10.20.0.1", "web1.lab.example.net", "52:54:00:12:34:01"), ("10.20.0.2", None, None)]
    assert [p["prefix"] for p in fjson(db, "prefix", "list", "--space", "lab")] == ["10.20.0.0/16", "10.20.0.0/24"]
    assert fjson(db, "util", "10.20.0.0/24", "--space", "lab")[0]["used"] == 2
    fok(db, "ip", "release", "10.20.0.1", "--space", "lab")
    assert fjson(db, "ip", "alloc", "10.20.0.0/24", "--space", "lab")[0]["address"] == "10.20.0.1"
    # a batch on the file sees the same state and leaves its changes behind
    rc, res = fbatch(db, "ip list --space lab", "range add 10.20.0.100 10.20.0.199 --purpose dhcp --space lab")
    assert rc == 0 and len(res[0]["items"]) == 2 and res[1]["size"] == 100
    assert [r["first"] for r in fjson(db, "range", "list", "--space", "lab")] == ["10.20.0.100"]


def test_file_uri_and_bare_path_are_the_same_store(tmp_path):
    db = new_db(tmp_path)
    fok(db, "space", "add", "blue")
    assert fok(f"file:{db}", "space", "list") == "blue\ndefault\n"


def test_init_refuses_an_existing_file(tmp_path):
    db = new_db(tmp_path)
    fok(db, "space", "add", "lab")
    before = db.read_bytes()
    for args in ((), ("--json",)):
        rc, out, err = frun(db, *args, "init")
        text = out + err
        assert rc == 1 and "already exists" in text and str(db) in text
        assert "will not overwrite" in text
    assert db.read_bytes() == before
    assert fok(db, "space", "list") == "default\nlab\n"
    # a file that is not a database is not touched either
    other = tmp_path / "notes.txt"
    other.write_text("keep me\n")
    rc, _, err = frun(other, "init")
    assert rc == 1 and "already exists" in err and other.read_text() == "keep me\n"
    # nor is a missing file created by any command but init
    rc, _, err = frun(tmp_path / "typo.db", "space", "list")
    assert rc == 1 and "init" in err and not (tmp_path / "typo.db").exists()


def test_wrong_key_fails_cleanly(tmp_path):
    db = new_db(tmp_path)
    fok(db, "space", "add", "lab")
    before = db.read_bytes()
    rc, out, err = frun(db, "space", "list", key="not the passphrase")
    assert rc == 1 and out == ""
    assert err.startswith("ipamctl: error: ") and "key" in err.lower()
    assert "not the passphrase" not in err and PASS not in err
    assert len(err.splitlines()) == 1
    rc, out, err = frun(db, "--json", "space", "list", key="not the passphrase")
    assert rc == 1 and err == "" and json.loads(out)["error"]["code"] == "AUTH"
    # a wrong key changes nothing, even for a command that writes
    rc, _, _ = frun(db, "space", "add", "evil", key="not the passphrase")
    assert rc == 1 and db.read_bytes() == before
    assert fok(db, "space", "list") == "default\nlab\n"


def test_no_key_and_no_tty_is_a_clear_error(tmp_path):
    db = new_db(tmp_path)
    rc, out, err = frun(db, "space", "list", key=None)  # stdin is a pipe, not a terminal
    assert rc == 1 and out == ""
    assert "no key given" in err and "IPAM_KEY" in err
    rc, out, _ = frun(db, "--json", "ip", "list", key=None)
    assert rc == 1 and json.loads(out)["error"]["code"] == "AUTH"
    # init without a key creates nothing
    rc, _, err = frun(tmp_path / "nokey.db", "init", key=None)
    assert rc == 1 and "key" in err and not (tmp_path / "nokey.db").exists()


def test_key_file_raw_and_hex(tmp_path):
    raw = bytes(range(7, 39))
    assert len(raw) == 32
    rawf = tmp_path / "raw.key"
    rawf.write_bytes(raw)
    hexf = tmp_path / "hex.key"
    hexf.write_text(raw.hex() + "\n")
    db = tmp_path / "k.db"
    assert fok(db, "--key-file", str(rawf), "init", key=None).startswith("initialized")
    fok(db, "--key-file", str(rawf), "space", "add", "lab", key=None)
    # the same key as 64 hex digits, from --key-file= and from $IPAM_KEY_FILE
    assert fok(db, f"--key-file={hexf}", "space", "list", key=None) == "default\nlab\n"
    assert fok(db, "space", "list", key=None, env={**ENV, "IPAM_KEY_FILE": str(hexf)}) == "default\nlab\n"
    # --key-file beats $IPAM_KEY_FILE
    bad = tmp_path / "other.key"
    bad.write_bytes(bytes(32))
    assert fok(db, "--key-file", str(rawf), "space", "list", key=None,
               env={**ENV, "IPAM_KEY_FILE": str(bad)}) == "default\nlab\n"
    rc, _, err = frun(db, "--key-file", str(bad), "space", "list", key=None)
    assert rc == 1 and "key" in err.lower()
    # a passphrase does not open a file made with a raw key
    rc, _, _ = frun(db, "space", "list")
    assert rc == 1
    # malformed key files name the file, never the bytes in it
    short = tmp_path / "short.key"
    short.write_bytes(b"s3cr3t-but-short")
    rc, _, err = frun(db, "--key-file", str(short), "space", "list", key=None)
    assert rc == 1 and str(short) in err and "32 bytes or 64 hex" in err and "s3cr3t" not in err
    rc, _, err = frun(db, "--key-file", str(tmp_path / "missing.key"), "space", "list", key=None)
    assert rc == 1 and "missing.key" in err


def test_hostnames_are_not_in_the_file_bytes(tmp_path):
    db = new_db(tmp_path)
    rc, res = fbatch(db, "space add lab", "prefix add 10.20.0.0/24 --space lab",
                     *[f"ip alloc 10.20.0.0/24 --space lab --hostname host{i}.secret-hostname.example "
                       f"--description 'rack 42 row {i}'" for i in range(20)])
    assert rc == 0 and len(res) == 22
    fok(db, "check")
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(db.name))
    assert len(data) > 4096
    for needle in (b"secret-hostname", b"rack 42", b"10.20.0.", b"SQLite format", b"lab"):
        assert data.count(needle) == 0, needle
    # the export (to stdout) does show them: the data is there, only encrypted
    assert "host7.secret-hostname.example" in export_text(db)


def test_export_import_roundtrip_is_byte_identical(tmp_path):
    db = new_db(tmp_path)
    rc, _ = fbatch(db, "space add lab --label env=prod", "space add dr",
                   "prefix add 10.20.0.0/16 --space lab --status container --attr owner=net",
                   "prefix add 10.20.0.0/16 --space dr",
                   "prefix alloc 10.20.0.0/16 --length 24 --space lab --description servers",
                   "ip alloc 10.20.0.0/24 --space lab --hostname web1.example.net --mac 52:54:00:00:00:01",
                   "ip add 10.20.0.50 --space dr --status reserved",
                   "range add 10.20.0.100 10.20.0.150 --purpose dhcp --space lab",
                   "ip release 10.20.0.50 --space dr")
    assert rc == 0
    out = tmp_path / "out" / "export.json"
    out.parent.mkdir()
    r = fjson(db, "export", "-o", str(out))
    assert r == [{"exported": str(out), "bytes": out.stat().st_size}]
    assert out.stat().st_mode & 0o777 == 0o600
    assert os.listdir(out.parent) == ["export.json"]  # no temporary file left behind
    doc = out.read_text()
    assert doc == export_text(db)  # stdout and -o give the same document
    parsed = json.loads(doc)
    assert parsed["format"] == "libipam-export"
    assert len(parsed["audit"]) == 9
    # into a fresh file, then export again: the same bytes
    db2 = new_db(tmp_path, "copy.db", key="another passphrase")
    r = fjson(db2, "import", "json", str(out), key="another passphrase")
    assert r[0]["imported"] == str(out) and r[0]["prefixes"] == 3 and r[0]["addresses"] == 1
    again = tmp_path / "again.json"
    fok(db2, "export", "--output", str(again), key="another passphrase")
    assert again.read_bytes() == out.read_bytes()
    # and the copy works: history and all
    assert fjson(db2, "audit", "verify", key="another passphrase")[0]["entries"] == 9
    assert fjson(db2, "ip", "alloc", "10.20.0.0/24", "--space", "lab",
                 key="another passphrase")[0]["address"] == "10.20.0.2"
    # -o replaces an existing file, atomically
    fok(db2, "export", "-o", str(again), key="another passphrase")
    assert again.read_bytes() != out.read_bytes() and json.loads(again.read_text())["format_version"] == 2


def test_import_into_a_non_empty_store_fails_and_changes_nothing(tmp_path):
    db = new_db(tmp_path)
    fok(db, "prefix", "add", "10.0.0.0/8")
    doc = tmp_path / "doc.json"
    fok(db, "export", "-o", str(doc))
    other = new_db(tmp_path, "other.db")
    fok(other, "space", "add", "blue")
    before = export_text(other)
    rc, out, err = frun(other, "import", "json", str(doc))
    assert rc == 1 and out == "" and "not empty" in err
    assert export_text(other) == before
    rc, out, _ = frun(other, "--json", "import", "json", str(doc))
    assert json.loads(out)["error"]["code"] == "EXISTS"


def test_import_bad_input_names_object_and_field_and_is_all_or_nothing(tmp_path):
    db = new_db(tmp_path)
    rc, _ = fbatch(db, "prefix add 10.0.0.0/8", "prefix add 10.1.0.0/16", "ip add 10.1.0.5 --mac 52:54:00:00:00:05")
    assert rc == 0
    good = json.loads(export_text(db))
    cases = [
        (("prefixes", 1, "prefix"), "10.1.0.1/16", "prefixes[1].prefix"),
        (("addresses", 0, "mac"), "zz", "addresses[0].mac"),
    ]
    fresh = new_db(tmp_path, "fresh.db")
    empty = export_text(fresh)
    for (table, idx, field), value, where in cases:
        bad = json.loads(json.dumps(good))
        bad[table][idx][field] = value
        path = tmp_path / f"bad-{field}.json"
        path.write_text(json.dumps(bad))
        rc, out, err = frun(fresh, "import", "json", str(path))
        assert rc == 1 and out == ""
        assert str(path) in err and where in err and value in err, err
        assert export_text(fresh) == empty  # nothing of the good objects before it went in
    # an edited audit entry in the document is refused too
    bad = json.loads(json.dumps(good))
    bad["audit"][1]["actor"] = "mallory"
    path = tmp_path / "bad-audit.json"
    path.write_text(json.dumps(bad))
    rc, out, _ = frun(fresh, "--json", "import", "json", str(path))
    e = json.loads(out)["error"]
    assert rc == 1 and e["code"] == "TAMPER" and "2" in e["message"]
    # not JSON at all
    path.write_text('{"format": ')
    rc, _, err = frun(fresh, "import", "json", str(path))
    assert rc == 1 and "JSON" in err
    assert export_text(fresh) == empty
    # the good document still goes in after all that
    path.write_text(json.dumps(good))
    fok(fresh, "import", "json", str(path))
    assert [i["address"] for i in fjson(fresh, "ip", "list")] == ["10.1.0.5"]


def test_audit_log_one_entry_per_change_with_actor(tmp_path):
    db = new_db(tmp_path)
    assert fok(db, "audit", "log") == ""
    fok(db, "--actor", "alice", "space", "add", "lab")
    fok(db, "--actor=alice", "prefix", "add", "10.0.0.0/24", "--space", "lab")
    fok(db, "--actor", "bob", "ip", "alloc", "10.0.0.0/24", "--space", "lab", "--hostname", "h1.example")
    rc, _, _ = frun(db, "--actor", "bob", "prefix", "add", "10.0.0.0/24", "--space", "lab")  # EXISTS: no entry
    assert rc == 1
    fok(db, "--actor", "carol", "ip", "release", "10.0.0.1", "--space", "lab")
    fok(db, "ip", "list")  # reads write no entry
    log = fjson(db, "audit", "log")
    assert [(e["seq"], e["actor"], e["action"], e["object"]) for e in log] == [
        (1, "alice", "space.add", "space lab"),
        (2, "alice", "prefix.add", "prefix lab 10.0.0.0/24"),
        (3, "bob", "address.alloc", "address lab 10.0.0.1"),
        (4, "carol", "address.release", "address lab 10.0.0.1"),
    ]
    for e in log:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", e["time"]), e["time"]
        assert re.fullmatch(r"[0-9a-f]{64}", e["hash"])
    assert [e["prev"] for e in log[1:]] == [e["hash"] for e in log[:-1]]
    assert log[0]["before"] is None and log[0]["after"]["name"] == "lab"
    assert log[2]["after"]["hostname"] == "h1.example" and log[2]["before"] is None
    assert log[3]["before"]["hostname"] == "h1.example" and log[3]["after"] is None
    # human: one line per entry, no before/after; --json on the command shows them
    lines = fok(db, "audit", "log").splitlines()
    assert len(lines) == 4
    assert lines[2].split()[0] == "3" and lines[2].split()[2:] == ["bob", "address.alloc", "address", "lab", "10.0.0.1"]
    assert "h1.example" not in "\n".join(lines)
    assert [json.loads(x) for x in fok(db, "audit", "log", "--json").splitlines()] == log
    # --from
    assert [e["seq"] for e in fjson(db, "audit", "log", "--from", "3")] == [3, 4]
    assert fjson(db, "audit", "log", "--from", "99") == []
    rc, _, err = frun(db, "audit", "log", "--from", "three")
    assert rc == 1 and "--from: 'three'" in err
    # the default actor is the OS user
    fok(db, "space", "add", "x")
    import pwd
    assert fjson(db, "audit", "log", "--from", "5")[0]["actor"] == pwd.getpwuid(os.geteuid()).pw_name


def test_audit_verify_ok_and_detects_an_edit(tmp_path):
    db = new_db(tmp_path)
    r = fjson(db, "audit", "verify")[0]
    assert r["verified"] is True and r["entries"] == 0
    rc, _ = fbatch(db, "space add lab", "prefix add 10.0.0.0/8 --space lab", "ip add 10.0.0.9 --space lab")
    assert rc == 0
    log = fjson(db, "audit", "log")
    r = fjson(db, "audit", "verify")[0]
    assert r == {"verified": True, "entries": 3, "head_seq": 3, "head_hash": log[-1]["hash"],
                 "checkpoints": 0, "public_key": None}
    out = fok(db, "audit", "verify")
    assert out.startswith("audit chain ok: 3 entries checked") and log[-1]["hash"] in out
    # edit an entry behind the library's back, with the sqlcipher shell
    sqlcipher = shutil.which("sqlcipher")
    if not sqlcipher:
        pytest.fail("the sqlcipher shell is not installed: .ci/packages installs it")
    sql = (f"PRAGMA key = '{PASS}';\nPRAGMA cipher_page_size = 4096;\n"
           "UPDATE audit SET actor = 'mallory' WHERE seq = 2;\n")
    p = subprocess.run([sqlcipher, str(db)], input=sql.encode(), capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    rc, out, err = frun(db, "audit", "verify")
    assert rc == 1 and out == ""
    assert "audit entry 2" in err
    rc, out, _ = frun(db, "--json", "audit", "verify")
    assert rc == 1 and json.loads(out)["error"]["code"] == "TAMPER"


def test_audit_keygen_sign_verify_with_public_key(tmp_path):
    sk, pk = tmp_path / "audit.sk", tmp_path / "audit.pk"
    r = json.loads(run("--json", "audit", "keygen", "--secret-key", str(sk), "--public-key", str(pk))[1])
    assert r["secret_key_file"] == str(sk) and r["public_key_file"] == str(pk)
    assert sk.stat().st_mode & 0o777 == 0o600
    assert re.fullmatch(r"[0-9a-f]{128}\n", sk.read_text())
    assert pk.read_text() == r["public_key"] + "\n" and re.fullmatch(r"[0-9a-f]{64}", r["public_key"])
    assert sk.read_text()[64:128] == r["public_key"]  # libsodium's form: seed || public key
    # keygen never overwrites
    rc, _, err = run("audit", "keygen", "--secret-key", str(sk), "--public-key", str(tmp_path / "x.pk"))
    assert rc == 1 and "already exists" in err and not (tmp_path / "x.pk").exists()
    rc, _, err = run("audit", "keygen", "--secret-key", str(tmp_path / "y.sk"), "--public-key", str(pk))
    assert rc == 1 and "already exists" in err and not (tmp_path / "y.sk").exists()
    rc, _, err = run("audit", "keygen", "--secret-key", str(tmp_path / "z.sk"))
    assert rc == 2 and "--public-key" in err

    db = new_db(tmp_path)
    rc, out, err = frun(db, "audit", "sign", "--secret-key", str(sk))
    assert rc == 1 and out == "" and "the chain is empty" in err  # no head to sign
    fok(db, "space", "add", "lab")
    fok(db, "prefix", "add", "10.0.0.0/8", "--space", "lab")
    r = fjson(db, "audit", "sign", "--secret-key", str(sk))[0]
    assert r == {"signed": True, "seq": 2, "public_key": pk.read_text().strip()}
    fok(db, "prefix", "add", "10.1.0.0/16", "--space", "lab")
    r = fjson(db, "audit", "verify", "--public-key", str(pk))[0]
    assert r["verified"] is True and r["entries"] == 3 and r["checkpoints"] == 1
    assert r["public_key"] == pk.read_text().strip()
    assert "1 signed checkpoint verified" in fok(db, "audit", "verify", "--public-key", str(pk))
    # another key's public half does not verify the checkpoint
    sk2, pk2 = tmp_path / "other.sk", tmp_path / "other.pk"
    run("audit", "keygen", "--secret-key", str(sk2), "--public-key", str(pk2))
    rc, out, err = frun(db, "audit", "verify", "--public-key", str(pk2))
    assert rc == 1 and out == "" and "checkpoint at entry 2" in err and "another key" in err
    rc, out, _ = frun(db, "--json", "audit", "verify", "--public-key", str(pk2))
    assert json.loads(out)["error"]["code"] == "TAMPER"
    # a file that is not a key
    junk = tmp_path / "junk.sk"
    junk.write_text("00" * 64 + "\n")
    rc, _, err = frun(db, "audit", "sign", "--secret-key", str(junk))
    assert rc == 1 and "not an Ed25519 secret key" in err
    rc, _, err = frun(db, "audit", "verify", "--public-key", str(tmp_path / "nope.pk"))
    assert rc == 1 and "nope.pk" in err


def test_rekey(tmp_path):
    db = new_db(tmp_path)
    fok(db, "space", "add", "lab")
    r = fjson(db, "rekey", env={**ENV, "IPAM_NEW_KEY": "the new passphrase"})
    assert r == [{"rekeyed": True, "db": str(db)}]
    rc, _, err = frun(db, "space", "list")
    assert rc == 1 and "key" in err.lower()
    assert fok(db, "space", "list", key="the new passphrase") == "default\nlab\n"
    # to a raw key file, and back to a passphrase
    kf = tmp_path / "new.key"
    kf.write_text("ab" * 32 + "\n")
    fok(db, "rekey", "--new-key-file", str(kf), key="the new passphrase")
    rc, _, _ = frun(db, "space", "list", key="the new passphrase")
    assert rc == 1
    assert fok(db, "--key-file", str(kf), "space", "list", key=None) == "default\nlab\n"
    fok(db, "--key-file", str(kf), "rekey", key=None, env={**ENV, "IPAM_NEW_KEY": PASS})
    assert fok(db, "space", "list") == "default\nlab\n"
    assert fjson(db, "audit", "verify")[0]["entries"] == 1
    # no new key and no terminal
    rc, _, err = frun(db, "rekey")
    assert rc == 1 and "IPAM_NEW_KEY" in err and "--new-key-file" in err
    assert fok(db, "space", "list") == "default\nlab\n"
    # a memory: store has no key
    rc, _, err = run("rekey")
    assert rc == 1 and "not an encrypted file" in err


def test_check_ok(tmp_path):
    db = new_db(tmp_path)
    fok(db, "prefix", "add", "10.0.0.0/8")
    fok(db, "ip", "add", "10.0.0.1")
    r = fjson(db, "check")
    assert r == [{"check": "ok", "db": str(db), "spaces": 1, "prefixes": 1, "ranges": 0, "addresses": 1}]
    assert fok(db, "check") == f"{db} passes the check (1 space, 1 prefix, 0 ranges, 1 address)\n"


def test_batch_atomic_rolls_back_everything_on_a_failing_line(tmp_path):
    db = new_db(tmp_path)
    fok(db, "prefix", "add", "10.0.0.0/24")
    before = export_text(db)
    rc, res = fbatch(db, "space add lab", "ip alloc 10.0.0.0/24 --hostname a", "prefix add 10.0.0.0/24",
                     "space add never-run", args=("--atomic",))
    assert rc == 1 and len(res) == 3  # the line after the failing one is not run
    assert res[0] == {"space": "lab", "labels": {}} and res[1]["address"] == "10.0.0.1"
    assert res[2]["error"]["code"] == "EXISTS" and res[2]["line"] == 3 and res[2]["rolled_back"] is True
    assert export_text(db) == before
    assert fok(db, "space", "list") == "default\n"
    assert len(fjson(db, "audit", "log")) == 1
    # a usage error rolls back too
    rc, res = fbatch(db, "space add lab", "frobnicate", args=("--atomic",))
    assert rc == 1 and res[1]["error"]["code"] == "USAGE" and res[1]["rolled_back"] is True
    assert export_text(db) == before
    # rekey and check cannot run inside the one transaction
    for line in ("rekey --new-key-file /nonexistent", "check"):
        rc, res = fbatch(db, "space add lab", line, args=("--atomic",))
        assert rc == 1 and res[1]["error"]["code"] == "USAGE" and "--atomic" in res[1]["error"]["message"]
    assert export_text(db) == before
    # without --atomic each line stands on its own
    rc, res = fbatch(db, "space add lab", "prefix add 10.0.0.0/24", "space add blue")
    assert rc == 1 and "rolled_back" not in res[1]
    assert fok(db, "space", "list") == "blue\ndefault\nlab\n"
    # all lines good: committed, one audit entry per change
    rc, res = fbatch(db, "space add red", "prefix add 10.1.0.0/16 --space red", "ip alloc 10.1.0.0/16 --space red",
                     args=("--atomic",))
    assert rc == 0 and res[2]["address"] == "10.1.0.1"
    assert [e["action"] for e in fjson(db, "audit", "log", "--from", "4")] == [
        "space.add", "prefix.add", "address.alloc"]
    assert fjson(db, "ip", "show", "10.1.0.1", "--space", "red")[0]["address"] == "10.1.0.1"


def test_batch_new_commands_and_init_on_a_file(tmp_path):
    db = new_db(tmp_path)
    out = tmp_path / "b.json"
    rc, res = fbatch(db, "space add lab", "init", "export", f"export -o {out}", "check", "audit verify",
                     "audit log --from 1")
    assert rc == 1
    assert res[1]["error"]["code"] == "EXISTS" and "already exists" in res[1]["error"]["message"]
    assert res[2]["error"]["code"] == "USAGE" and "-o FILE" in res[2]["error"]["message"]
    assert res[3] == {"exported": str(out), "bytes": out.stat().st_size}
    assert res[4]["check"] == "ok" and res[5]["entries"] == 1
    assert [e["action"] for e in res[6]["items"]] == ["space.add"]


def test_durable_and_usage_of_global_options(tmp_path):
    db = new_db(tmp_path, "d.db", "--durable")
    fok(db, "--durable", "space", "add", "lab")
    assert fok(db, "space", "list") == "default\nlab\n"
    rc, out, err = run("--durable", "--json", "init")  # memory: ignores it
    assert rc == 0 and json.loads(out) == {"db": "memory:", "version": json.loads(out)["version"],
                                           "encrypted": False}


# ---- asking for the passphrase on a terminal ----

def tty_run(args, answers, env=None, tmo=30):
    """Run ipamctl with a pseudo-terminal as its controlling terminal and
    stdin; answer each prompt in turn. Returns (exit status, stdout, what the
    terminal showed, terminal echo flag after the run, echo flag during each
    prompt)."""
    import fcntl
    import select
    import termios
    import time
    master, slave = os.openpty()

    def become_tty_owner():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    e = dict(ENV if env is None else env)
    p = subprocess.Popen([IPAMCTL, *args], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=e, preexec_fn=become_tty_owner)
    shown = b""
    echo_during = []
    try:
        for answer in answers:
            deadline = time.time() + tmo
            seen = len(shown)
            while b": " not in shown[seen:] and time.time() < deadline and p.poll() is None:
                r, _, _ = select.select([master], [], [], 0.1)
                if r:
                    shown += os.read(master, 4096)
            time.sleep(0.1)  # the prompt is written just after echo is turned off
            echo_during.append(bool(termios.tcgetattr(slave)[3] & termios.ECHO))
            os.write(master, answer)
        out, err = p.communicate(timeout=tmo)
        while select.select([master], [], [], 0.1)[0]:
            shown += os.read(master, 4096)
        echo_after = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
    finally:
        if p.poll() is None:
            p.kill()
        os.close(master)
        os.close(slave)
    return p.returncode, out.decode(), err.decode(), shown.decode(errors="replace"), echo_after, echo_during


def test_tty_init_asks_twice_without_echo_then_use(tmp_path):
    db = tmp_path / "t.db"
    rc, out, err, shown, echo, during = tty_run(["--db", str(db), "init"], [b"tty secret 1\n", b"tty secret 1\n"])
    assert (rc, err) == (0, ""), (shown, err)
    assert out.startswith(f"initialized {db}")
    assert "New passphrase for" in shown and "Repeat the passphrase" in shown
    assert "tty secret" not in shown and "tty secret" not in out  # never echoed, never printed
    assert during == [False, False] and echo is True
    # the passphrase asked for opens the file; IPAM_KEY works as well
    rc, out, err, shown, echo, during = tty_run(["--db", str(db), "space", "add", "lab"], [b"tty secret 1\n"])
    assert (rc, out) == (0, "lab\n"), err
    assert "Passphrase for" in shown and "tty secret" not in shown and echo is True
    assert fok(db, "space", "list", key="tty secret 1") == "default\nlab\n"
    # a wrong answer is a wrong key
    rc, out, err, _, echo, _ = tty_run(["--db", str(db), "space", "list"], [b"nope\n"])
    assert rc == 1 and "key" in err.lower() and echo is True


def test_tty_init_refuses_mismatch_and_empty(tmp_path):
    db = tmp_path / "t.db"
    rc, _, err, _, echo, _ = tty_run(["--db", str(db), "init"], [b"one\n", b"two\n"])
    assert rc == 1 and "do not match" in err and echo is True and not db.exists()
    rc, _, err, _, echo, _ = tty_run(["--db", str(db), "init"], [b"\n"])
    assert rc == 1 and "empty passphrase" in err and echo is True and not db.exists()
    # an existing file is refused before anything is asked
    db.write_bytes(b"x")
    rc, _, err, shown, _, _ = tty_run(["--db", str(db), "init"], [])
    assert rc == 1 and "already exists" in err and "passphrase" not in shown.lower()


def test_tty_interrupt_restores_the_terminal(tmp_path):
    db = new_db(tmp_path)
    rc, out, _, shown, echo, during = tty_run(["--db", str(db), "space", "list"], [b"\x03"])  # ^C
    assert rc == -2 and out == ""  # ended by SIGINT, as it would have been
    assert during == [False] and echo is True


def test_tty_rekey_asks_twice(tmp_path):
    db = new_db(tmp_path)
    env = {**ENV, "IPAM_KEY": PASS}
    rc, out, err, shown, echo, _ = tty_run(["--db", str(db), "rekey"], [b"brand new\n", b"brand new\n"], env=env)
    assert rc == 0 and out.startswith("rekeyed") and "brand new" not in shown and echo is True, err
    assert fok(db, "space", "list", key="brand new") == "default\n"


def test_tty_suspend_restores_the_terminal_and_asks_again(tmp_path):
    db = new_db(tmp_path)
    # ^Z: the terminal is restored before the process would stop; then it
    # asks again (here at once: an orphaned process group is not stopped)
    rc, out, err, shown, echo, during = tty_run(["--db", str(db), "space", "list"], [b"\x1a", PASS.encode() + b"\n"])
    assert (rc, out, err) == (0, "default\n", "")
    assert shown.count("Passphrase for") == 2 and PASS not in shown
    assert during == [False, False] and echo is True
