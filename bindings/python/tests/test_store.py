"""The encrypted file store through the binding: keys, rekey, export and
import, the audit chain signed and verified."""

import json

import pytest

import ipam
from conftest import ed25519_keypair


def test_file_keys_and_rekey(tmp_path):
    path = tmp_path / "ipam.db"
    with pytest.raises(ipam.NotFound, match=str(path)):
        ipam.open(f"file:{path}", key="pw")
    with ipam.open(path, key="pw", create=True, exclusive=True, actor="alice", durable=True) as db:
        assert db.uri == f"file:{path}"
        db.add_prefix("10.20.0.0/16")
        a = db.alloc_address("10.20.0.0/16", hostname="db1.example.net")
        db.check()
        db.rekey(key="new pw")
    with pytest.raises(ipam.Exists):
        ipam.open(path, key="new pw", create=True, exclusive=True)
    with pytest.raises(ipam.AuthError):
        ipam.open(path, key="pw")
    assert b"db1.example.net" not in path.read_bytes()
    keyfile = tmp_path / "key"
    keyfile.write_text("00" * 32 + "\n")
    with ipam.open(path, key="new pw") as db:
        assert db.address(a).hostname == "db1.example.net"
        assert next(db.audit(2)).actor == "alice"
        db.rekey(key_file=keyfile)
    with ipam.open(str(path), key_file=str(keyfile)) as db:
        assert db.address("10.20.0.1").hostname == "db1.example.net"


def test_export_import_audit(tmp_path):
    with ipam.open(tmp_path / "a.db", key="k", create=True, actor="bob") as db:
        db.add_space("lab", labels={"site": "ams"})
        net = db.add_prefix("10.0.0.0/24", space="lab")
        net.alloc_address(hostname="h1.example.net")
        entries = list(db.audit())
        assert [e.action for e in entries] == ["space.add", "prefix.add", "address.alloc"]
        e = entries[-1]
        assert isinstance(e, ipam.AuditEntry) and e.seq == 3 and e.actor == "bob" and e.before is None
        assert json.loads(e.after)["hostname"] == "h1.example.net" and e.prev == entries[1].hash
        assert e.time_us > 1_600_000_000_000_000 and "10.0.0.1" in e.object
        assert [x.seq for x in db.audit(from_seq=2)] == [2, 3]

        pub, sec = ed25519_keypair()
        assert db.sign_audit(sec) == 3
        rep = db.verify_audit(pub)
        assert isinstance(rep, ipam.AuditReport)
        assert (rep.entries, rep.head_seq, rep.head_hash, rep.checkpoints, rep.first_bad) == (3, 3, e.hash, 1, 0)
        assert db.verify_audit().checkpoints == 0
        other, _ = ed25519_keypair()
        with pytest.raises(ipam.TamperError):
            db.verify_audit(other)
        with pytest.raises(ipam.InvalidArgument, match="32 bytes"):
            db.verify_audit(b"short")
        with pytest.raises(ipam.InvalidArgument, match="64 bytes"):
            db.sign_audit(b"short")
        doc = db.export()
    assert isinstance(doc, str) and json.loads(doc)["format"] == "libipam-export"
    with ipam.open("memory:") as copy:
        copy.import_json(doc, "a.json")
        assert copy.export() == doc
        assert copy.address("10.0.0.1", space="lab").hostname == "h1.example.net"
        with pytest.raises(ipam.Exists):
            copy.import_json(doc.encode())
    with ipam.open("memory:") as empty:
        with pytest.raises(ipam.InvalidArgument, match="broken.json"):
            empty.import_json("{", name="broken.json")
        empty.import_json(doc.encode(), name="bytes.json")
        assert empty.export() == doc
