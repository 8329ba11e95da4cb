"""The exceptions of libipam: one class per error code of the C API.

Every failure of a libipam call raises a subclass of :class:`Error` whose
message is the C library's (``ipam_error_last()``), with the C code in
``code`` and its short name (``"EXHAUSTED"``) in ``name``. Classes that
match a built-in family also derive from it, so ``except ValueError`` and
``except LookupError`` work as a Python programmer expects.
"""

from __future__ import annotations


class Error(Exception):
    """A libipam call failed. ``str(e)`` is the C library's message."""

    #: the C error code (a negative ``IPAM_E*`` value)
    code: int = -1
    #: the short name of the code, as in the C library's JSON ("NOTFOUND")
    name: str = "ERROR"

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        if code is not None and code != type(self).code:
            self.code = code

    @property
    def message(self) -> str:
        """The C library's message."""
        return str(self.args[0]) if self.args else ""


class InvalidArgument(Error, ValueError):
    """IPAM_EINVAL: bad input (the message says what and where)."""
    code, name = -2, "INVAL"


class NotFound(Error, LookupError):
    """IPAM_ENOTFOUND: the object does not exist."""
    code, name = -3, "NOTFOUND"


class Exists(Error):
    """IPAM_EEXISTS: the object exists already."""
    code, name = -4, "EXISTS"


class Exhausted(Error):
    """IPAM_EEXHAUSTED: no free address or block is left."""
    code, name = -5, "EXHAUSTED"


class Conflict(Error):
    """IPAM_ECONFLICT: a concurrent change won; run the transaction again
    (:meth:`ipam.DB.run` does)."""
    code, name = -6, "CONFLICT"


class AuthError(Error):
    """IPAM_EAUTH: a wrong key."""
    code, name = -7, "AUTH"


class PermissionDenied(Error):
    """IPAM_EPERM: not permitted (e.g. removing the default space, an audit
    call on ``index:``)."""
    code, name = -8, "PERM"


class BackendError(Error):
    """IPAM_EBACKEND: the store failed."""
    code, name = -9, "BACKEND"


class IOFailure(Error, OSError):
    """IPAM_EIO: an input/output error."""
    code, name = -10, "IO"


class OutOfMemory(Error, MemoryError):
    """IPAM_ENOMEM."""
    code, name = -11, "NOMEM"


class InUse(Error):
    """IPAM_EINUSE: the object is in use and cannot be removed."""
    code, name = -12, "INUSE"


class TamperError(Error):
    """IPAM_ETAMPER: the audit chain does not verify; the message names the
    first bad entry."""
    code, name = -13, "TAMPER"


class Canceled(Error):
    """IPAM_ECANCELED: the call's cancellation token was triggered (the
    package raises KeyboardInterrupt for Ctrl-C instead)."""
    code, name = -14, "CANCELED"


_BY_CODE: dict[int, type[Error]] = {
    cls.code: cls
    for cls in (InvalidArgument, NotFound, Exists, Exhausted, Conflict, AuthError, PermissionDenied,
                BackendError, IOFailure, OutOfMemory, InUse, TamperError, Canceled)
}


def _from_c(code: int, message: str) -> Error:
    """The exception for a C error code (called by ipam.capi)."""
    cls = _BY_CODE.get(code, Error)
    return cls(message, code)
