"""Ctrl-C for the calls that wait (include/ipam/cancel.h): the C call runs
with a cancellation token attached, and a SIGINT handler installed for the
wait triggers it. Internal."""

from __future__ import annotations

import signal
import threading
from typing import Any, Callable

from . import _capi as capi


def interruptible(fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args), a C call, so that Ctrl-C stops it. Outside the main thread
    (which alone gets SIGINT) it is a plain call. In the main thread the call
    runs on a thread of its own with a token attached, while the main thread
    waits with a SIGINT handler of ours installed (the C library's wait
    would hold off Python's handlers until the call returned). Ctrl-C
    triggers the token, and once the call has returned (IPAM_ECANCELED, at
    once: every C loop that waits checks the token: HTTP, SNMP, the sweeps,
    RFC 2136 pushes, AXFR, imports), KeyboardInterrupt is raised, what the
    call did kept or rolled back as for any failure."""
    if threading.current_thread() is not threading.main_thread():
        return fn(*args)
    token = capi.ipam_cancel_new()
    box: dict[str, Any] = {}

    def work() -> None:
        capi.ipam_cancel_attach(token)
        try:
            box["result"] = fn(*args)
        except BaseException as e:  # noqa: B036 - carried to the caller
            box["error"] = e
        finally:
            capi.ipam_cancel_detach()

    def on_sigint(signum: int, frame: Any) -> None:
        capi.ipam_cancel_trigger(token)

    t = threading.Thread(target=work, name="ipam-call", daemon=True)
    old = signal.signal(signal.SIGINT, on_sigint)
    try:
        t.start()
        t.join()  # a lock wait: SIGINT runs on_sigint, then the wait goes on
    finally:
        signal.signal(signal.SIGINT, old)
    if capi.ipam_cancel_triggered(token):
        raise KeyboardInterrupt from box.get("error")
    if "error" in box:
        raise box["error"]
    return box.get("result")
