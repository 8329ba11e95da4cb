"""Real servers for the binding's tests, started the way the C tests start
them: BIND through dtnamed (tests/dns/dns_test.c's dt_start as a program),
the clouds' stand-ins through tests/discover/cloud_server.py, and Net-SNMP's
snmpd on a free port of 127.0.0.1. Each stops when its stdin closes or the
test process ends."""

import os
import pathlib
import socket
import subprocess
import tempfile
import time

import pytest

import ipam

SRC = pathlib.Path(os.environ.get("IPAM_SRC", pathlib.Path(__file__).resolve().parents[3]))
CLOUD_KEY, CLOUD_SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u, socket.socket() as t:
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u.bind(("127.0.0.1", port))
        return port


class Named:
    """named serving zones given as {origin: zone file text}."""

    def __init__(self, zones):
        exe = os.environ.get("IPAM_DTNAMED")
        if not exe or not os.path.exists(exe):
            pytest.fail("IPAM_DTNAMED is not set: run the tests with meson test")
        self.dir = tempfile.TemporaryDirectory(prefix="ipam-py-named-")
        args = []
        for i, (origin, text) in enumerate(zones.items()):
            path = os.path.join(self.dir.name, f"zone{i}")
            pathlib.Path(path).write_text(text)
            args += [origin, path]
        self.proc = subprocess.Popen([exe, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 3:
            rc = self.proc.wait()
            if rc == 77:
                pytest.skip("named is not installed")
            pytest.fail(f"dtnamed did not start named (exit {rc})")
        self.port, self.key_name, self.key_secret = int(line[0]), line[1], line[2]

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.dir.cleanup()


class CloudServer:
    """tests/discover/cloud_server.py: EC2, Azure and Google stand-ins."""

    def __init__(self):
        script = SRC / "tests" / "discover" / "cloud_server.py"
        self.proc = subprocess.Popen(["python3", str(script), CLOUD_KEY, CLOUD_SECRET], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Snmpd:
    """snmpd answering v2c (community public) and v3 (ipamuser, SHA/AES)."""

    USER, AUTH, PRIV = "ipamuser", "authpass123", "privpass123"

    def __init__(self):
        if subprocess.run(["sh", "-c", "command -v snmpd"], capture_output=True).returncode != 0:
            pytest.skip("snmpd is not installed (apt-get install snmpd)")
        self.dir = tempfile.TemporaryDirectory(prefix="ipam-py-snmpd-")
        d = self.dir.name
        conf = os.path.join(d, "snmpd.conf")
        pathlib.Path(conf).write_text(f"rocommunity public 127.0.0.1\n"
                                      f'createUser {self.USER} SHA "{self.AUTH}" AES "{self.PRIV}"\n'
                                      f"rouser {self.USER} priv\n")
        self.port = free_port()
        env = dict(os.environ, SNMP_PERSISTENT_DIR=d, MIBS="")
        self.log = open(os.path.join(d, "snmpd.log"), "w")
        self.proc = subprocess.Popen(["snmpd", "-f", "-Lo", "-C", "-m", "", "-c", conf, "-p",
                                      os.path.join(d, "pid"), f"udp:127.0.0.1:{self.port}"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        # ready when it answers the probe itself (no client tools needed)
        deadline = time.monotonic() + 10
        while True:
            _, errors = ipam.discover_snmp([f"127.0.0.1:{self.port}"], timeout=0.2)
            if errors[0] is None:
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = pathlib.Path(d, "snmpd.log").read_text()
                self.stop()
                pytest.fail("snmpd did not answer within 10 s: " + log)
        self.host = f"127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
        self.dir.cleanup()
