"""Errors: each C code raises its class, with the C message; the classes
fit Python's own families."""

import pytest

import ipam
from ipam import _capi, _errors

CLASSES = {
    "INVAL": ipam.InvalidArgument, "NOTFOUND": ipam.NotFound, "EXISTS": ipam.Exists,
    "EXHAUSTED": ipam.Exhausted, "CONFLICT": ipam.Conflict, "AUTH": ipam.AuthError, "PERM": ipam.PermissionDenied,
    "BACKEND": ipam.BackendError, "IO": ipam.IOFailure, "NOMEM": ipam.OutOfMemory, "INUSE": ipam.InUse,
    "TAMPER": ipam.TamperError, "CANCELED": ipam.Canceled,
}


def test_every_code_has_its_class():
    # the names come from the C library: a code added there without a class here fails
    for code in range(-1, -31, -1):
        name = _capi.ipam_error_name(code)
        if name == "ERROR":
            continue
        cls = CLASSES[name]
        assert cls.code == code and cls.name == name
        e = _errors._from_c(code, "the message")
        assert type(e) is cls and e.code == code and str(e) == "the message" and e.message == "the message"
        assert isinstance(e, ipam.Error)
    e = _errors._from_c(-1, "generic")
    assert type(e) is ipam.Error and e.code == -1 and e.name == "ERROR"
    e = _errors._from_c(-99, "unknown")
    assert type(e) is ipam.Error and e.code == -99


def test_python_families():
    assert issubclass(ipam.InvalidArgument, ValueError)
    assert issubclass(ipam.NotFound, LookupError)
    assert issubclass(ipam.IOFailure, OSError)
    assert issubclass(ipam.OutOfMemory, MemoryError)
    e = ipam.IOFailure("disk on fire", -10)
    assert str(e) == "disk on fire" and e.code == -10


def test_raised_from_calls_with_the_c_message(db, idx):
    db.add_space("lab")
    with pytest.raises(ipam.Exists) as e:
        db.add_space("lab")
    assert e.value.code == -4 and e.value.name == "EXISTS" and "lab" in str(e.value)
    with pytest.raises(ipam.InvalidArgument) as e:
        db.add_space("no spaces allowed")
    assert "no spaces allowed" in str(e.value)
    with pytest.raises(ipam.NotFound, match="10.9.9.9"):
        db.address("10.9.9.9")
    with pytest.raises(ipam.PermissionDenied):
        db.remove_space("default")
    db.add_prefix("10.0.0.0/8", space="lab")
    with pytest.raises(ipam.InUse):
        db.remove_space("lab")
    with pytest.raises(ipam.PermissionDenied):
        idx.export()
    with pytest.raises(ipam.PermissionDenied):
        idx.audit()
    with pytest.raises(ipam.Exhausted):
        db.add_prefix("192.0.2.0/32")
        db.alloc_address("192.0.2.0/32")
        db.alloc_address("192.0.2.0/32")


def test_message_is_per_thread(db):
    # a failure on another thread does not change what this one raised
    import threading
    with pytest.raises(ipam.NotFound) as mine:
        db.prefix("10.1.0.0/16")
    errs = []
    t = threading.Thread(target=lambda: errs.append(pytest.raises(ipam.Exists, db.add_space, "default")))
    t.start()
    t.join()
    assert "10.1.0.0/16" in str(mine.value) and "default" in str(errs[0].value)
