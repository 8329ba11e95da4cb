"""Ctrl-C stops the C call itself (include/ipam/cancel.h): a cloud inventory
call to an HTTP server of the test that never answers, SIGINT after 200 ms:
KeyboardInterrupt within ~300 ms, the server sees the client go (the C call
has let go of it, not merely been abandoned), the store unchanged. Then a
TCP sweep that would take 12.7 s: SIGINT after 200 ms stops it as fast,
what it saw kept."""

import http.server
import signal
import socket
import threading
import time

import pytest

import ipam
import ipam.capi as capi


class _Silent(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.got.set()
        self.connection.recv(1)  # never answers; returns when the client closes
        self.server.gone.append(time.monotonic())

    def log_message(self, *args):
        pass


@pytest.fixture
def silent_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Silent)
    srv.daemon_threads = True
    srv.got, srv.gone = threading.Event(), []
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _sigint_after(seconds):
    threading.Timer(seconds, lambda: signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)).start()


@pytest.mark.parametrize("with_db", [False, True])
def test_ctrl_c_stops_a_cloud_call(silent_server, db, with_db):
    before = (db.stats(), list(db.audit()))
    url = f"http://127.0.0.1:{silent_server.server_address[1]}/"
    _sigint_after(0.2)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ipam.discover_aws(region="eu-west-1", access_key="AKIDEXAMPLE", secret_key="secret", endpoint=url,
                          timeout=10, db=db if with_db else None)
    took = time.monotonic() - start
    assert silent_server.got.is_set()
    assert took < 0.45, took  # 200 ms, then at once
    for _ in range(100):  # the server's thread notices the close
        if silent_server.gone:
            break
        time.sleep(0.01)
    assert silent_server.gone and silent_server.gone[0] - start < 0.5, silent_server.gone
    assert (db.stats(), list(db.audit())) == before
    # the SIGINT handler is the one from before the call again
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_stops_a_sweep():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        into = ipam.Observations()
        _sigint_after(0.2)
        start = time.monotonic()
        with pytest.raises(KeyboardInterrupt) as e:
            ipam.sweep("127.0.0.0/24", tcp_ports=[port], rate=20, timeout=10, into=into)
        took = time.monotonic() - start
    assert took < 0.45, took  # 254 addresses at 20 a second: 12.7 s
    assert isinstance(e.value.__cause__, ipam.Canceled)
    assert [(str(o.address), o.source) for o in into] == [("127.0.0.1", "tcp")]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_token_from_the_low_level_module():
    token = capi.ipam_cancel_new()
    assert capi.ipam_cancel_triggered(token) == 0
    capi.ipam_cancel_trigger(token)
    assert capi.ipam_cancel_triggered(token) == 1
    assert capi.ipam_error_name(capi.IPAM_ECANCELED) == "CANCELED"
    assert ipam.Canceled.code == capi.IPAM_ECANCELED and issubclass(ipam.Canceled, ipam.Error)


def test_other_threads_call_plainly(silent_server):
    """Outside the main thread there is no SIGINT and no token: the call
    ends on its own timeout."""
    url = f"http://127.0.0.1:{silent_server.server_address[1]}/"
    box = {}

    def work():
        try:
            ipam.discover_aws(region="eu-west-1", access_key="AKIDEXAMPLE", secret_key="secret", endpoint=url,
                              timeout=0.3)
        except ipam.Error as e:
            box["error"] = e

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert isinstance(box["error"], ipam.IOFailure)
