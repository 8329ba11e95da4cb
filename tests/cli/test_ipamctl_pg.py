"""ipamctl on PostgreSQL: the same commands as on a file.

Run by meson under tests/pg/with-pg.sh, which starts a private PostgreSQL
15 (every transaction SERIALIZABLE) and gives its keyword string in
IPAM_TEST_PG. Each test makes a database of its own.
"""
import json
import os
import subprocess
import uuid

import pytest

IPAMCTL = os.environ.get("IPAMCTL")
PG = os.environ.get("IPAM_TEST_PG")
if not IPAMCTL or not PG:
    raise RuntimeError("set IPAMCTL and IPAM_TEST_PG (meson runs this under tests/pg/with-pg.sh)")

ENV = {k: v for k, v in os.environ.items()
       if k not in ("IPAM_DB", "IPAM_KEY", "IPAM_KEY_FILE", "IPAM_NEW_KEY")}
PASS = "correct horse battery staple"


def run(*args, stdin=b"", env=None):
    p = subprocess.run([IPAMCTL, *args], input=stdin, capture_output=True,
                       env=env if env is not None else ENV, timeout=300)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def ok(*args, **kw):
    rc, out, err = run(*args, **kw)
    assert rc == 0 and err == "", (args, rc, out, err)
    return out


def js(*args, **kw):
    return [json.loads(x) for x in ok("--json", *args, **kw).splitlines()]


@pytest.fixture
def pgdb():
    """A new, empty database on the test server; its keyword string."""
    name = "cli_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", PG, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return f"{PG} dbname={name}"


def fenv(key=PASS):
    env = dict(ENV)
    env["IPAM_KEY"] = key
    return env


JOB = ["space add lab --label env=prod", "space add dr",
       "prefix add 10.20.0.0/16 --space lab --status container --attr owner=net",
       "prefix add 10.20.0.0/16 --space dr",
       "prefix alloc 10.20.0.0/16 --length 24 --space lab --description servers",
       "ip alloc 10.20.0.0/24 --space lab --hostname web1.example.net --mac 52:54:00:00:00:01",
       "ip add 10.20.0.50 --space dr --status reserved",
       "range add 10.20.0.100 10.20.0.150 --purpose dhcp --space lab",
       "ip release 10.20.0.50 --space dr"]


def test_same_commands_as_on_a_file(pgdb):
    r = js("--db", pgdb, "init")
    assert r[0]["encrypted"] is False and r[0]["db"] == pgdb
    # init again: the tables are there; nothing is overwritten
    rc, out, err = run("--db", pgdb, "init")
    assert rc != 0 and "already holds libipam tables" in err
    # each invocation is a new process that sees what the others wrote
    assert ok("--db", pgdb, "space", "add", "lab", "--label", "site=par1") == "lab  site=par1\n"
    ok("--db", pgdb, "prefix", "add", "10.20.0.0/16", "--space", "lab", "--status", "container")
    ok("--db", pgdb, "prefix", "alloc", "10.20.0.0/16", "--length", "24", "--space", "lab")
    got = js("--db", pgdb, "ip", "alloc", "10.20.0.0/24", "--space", "lab", "--hostname", "web1.lab.example.net")
    assert got[0]["address"] == "10.20.0.1"
    got = js("--db", pgdb, "ip", "alloc", "10.20.0.0/24", "--space", "lab")
    assert got[0]["address"] == "10.20.0.2"
    ips = js("--db", pgdb, "ip", "list", "--within", "10.20.0.0/24", "--space", "lab")
    assert [x["address"] for x in ips] == ["10.20.0.1", "10.20.0.2"]
    assert ips[0]["hostname"] == "web1.lab.example.net"
    v = js("--db", pgdb, "audit", "verify")[0]
    assert v["entries"] == 5 and v.get("first_bad") in (None, 0)
    assert js("--db", pgdb, "check")[0]["check"] == "ok"
    # a file-only command says why it does not apply
    rc, out, err = run("--db", pgdb, "rekey")
    assert rc != 0 and "not an encrypted file" in err


def test_export_from_postgres_imports_into_a_file_byte_identical(pgdb, tmp_path):
    js("--db", pgdb, "init")
    rc, out, err = run("--db", pgdb, "batch", stdin="".join(x + "\n" for x in JOB).encode())
    assert rc == 0, err
    doc = tmp_path / "pg.json"
    ok("--db", pgdb, "export", "-o", str(doc))
    parsed = json.loads(doc.read_text())
    assert parsed["format"] == "libipam-export" and len(parsed["audit"]) == len(JOB)
    # into an encrypted file, then out again: the same bytes
    f = tmp_path / "copy.db"
    ok("--db", str(f), "init", env=fenv())
    ok("--db", str(f), "import", "json", str(doc), env=fenv())
    again = tmp_path / "file.json"
    ok("--db", str(f), "export", "-o", str(again), env=fenv())
    assert again.read_bytes() == doc.read_bytes()
    # and back into another PostgreSQL database: the same bytes again
    other = pgdb.rsplit("dbname=", 1)[0] + "dbname=back_" + uuid.uuid4().hex[:8]
    subprocess.run(["psql", PG, "-qc", f"CREATE DATABASE {other.rsplit('=', 1)[1]}"], check=True)
    js("--db", other, "init")
    ok("--db", other, "import", "json", str(again))
    third = tmp_path / "back.json"
    ok("--db", other, "export", "-o", str(third))
    assert third.read_bytes() == doc.read_bytes()
    assert js("--db", other, "audit", "verify")[0]["entries"] == len(JOB)


def test_errors_name_the_server_never_the_password(pgdb):
    port = PG.split("port=")[1].split()[0]
    # a server that is not there
    rc, out, err = run("--db", f"postgresql://ipam:s3cr3t-pw@127.0.0.1:1/nowhere", "prefix", "list")
    assert rc != 0 and "127.0.0.1" in err and "s3cr3t-pw" not in err and "s3cr3t-pw" not in out
    # a database that does not exist, in a keyword string with a password
    rc, out, err = run("--db", f"host=127.0.0.1 port={port} user=ipam password=s3cr3t-pw dbname=nosuchdb",
                       "prefix", "list")
    assert rc != 0 and "nosuchdb" in err and "does not exist" in err and "s3cr3t-pw" not in err
    # a database without the tables: told how to make them
    rc, out, err = run("--db", pgdb, "prefix", "list")
    assert rc != 0 and "no libipam tables" in err
    # init's own output masks a password too
    r = js("--db", pgdb + " password=s3cr3t-pw", "init")
    assert "s3cr3t-pw" not in json.dumps(r) and "password=***" in r[0]["db"]


def test_secrets_need_the_callers_key_on_postgres(pgdb, tmp_path):
    """A PostgreSQL store never holds the sealing key: without the caller's key
    a secret is refused; with it, the database holds only the sealed text, and
    a handle with another key cannot open it."""
    ok("--db", pgdb, "init")
    secret = "c2VjcmV0LWZvci1wb3N0Z3Jlcy10ZXN0LTAxMjM0NTY3OA=="
    (tmp_path / "tsig").write_text(secret + "\n")
    add = ["server", "add", "ns1", "--type", "rfc2136", "--address", "127.0.0.1", "--port", "1",
           "--tsig-name", "k1", "--tsig-secret-file", str(tmp_path / "tsig")]
    rc, out, err = run("--db", pgdb, *add)
    assert rc == 1 and "keeps secrets only sealed under a key the caller holds" in err, err
    assert secret not in out + err
    (tmp_path / "seal.key").write_text("11" * 32 + "\n")
    ok("--db", pgdb, "--secret-key-file", str(tmp_path / "seal.key"), *add)
    rows = subprocess.run(["psql", pgdb, "-tAc", "SELECT attrs FROM ipam_objects WHERE kind = 8"],
                          check=True, capture_output=True, text=True).stdout
    assert "sealed:v1:" in rows and secret not in rows, rows
    audit = subprocess.run(["psql", pgdb, "-tAc", "SELECT after FROM ipam_audit"],
                           check=True, capture_output=True, text=True).stdout
    assert secret not in audit
    # another key: the push cannot open the secret (and says so, without it)
    (tmp_path / "other.key").write_text("22" * 32 + "\n")
    ok("--db", pgdb, "zone", "add", "example.test", "--ns", "ns1.example.test")
    rc, out, err = run("--db", pgdb, "--secret-key-file", str(tmp_path / "other.key"),
                       "zone", "push", "example.test", "--server", "ns1")
    assert rc == 1 and "does not open with this handle's sealing key" in err, err
    assert secret not in out + err
