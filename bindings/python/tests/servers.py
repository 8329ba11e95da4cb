"""Real servers for the binding's tests, started the way the C tests start
them: BIND through dtnamed (tests/dns/dns_test.c's dt_start as a program),
the clouds' stand-ins through tests/discover/cloud_server.py, and Net-SNMP's
snmpd on a free port of 127.0.0.1, and kea-dhcp4 behind kea-ctrl-agent as
tests/cli/test_ipamctl_dhcp.py starts them. Each stops when its stdin closes,
its fixture ends or the test process ends."""

import base64
import json
import os
import pathlib
import socket
import subprocess
import tempfile
import time
import urllib.request

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
                pytest.fail("named is not installed (apt-get install bind9)")
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
            pytest.fail("snmpd is not installed (apt-get install snmpd)")
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


class Kea:
    """kea-dhcp4 (memfile leases, the lease_cmds hook) behind a
    kea-ctrl-agent with HTTP basic auth, both on 127.0.0.1 in a temporary
    directory, as tests/cli/test_ipamctl_dhcp.py starts them."""

    HOOKS = "/usr/lib/x86_64-linux-gnu/kea/hooks"
    USER, PASSWORD = "ipam", "kea-secret-7"

    def __init__(self):
        for exe in ("kea-dhcp4", "kea-ctrl-agent"):
            if subprocess.run(["sh", "-c", f"command -v {exe}"], capture_output=True).returncode != 0:
                pytest.fail(f"{exe} is not installed (apt-get install kea-dhcp4-server kea-ctrl-agent)")
        self.dir = tempfile.TemporaryDirectory(prefix="ipam-py-kea-")
        d = pathlib.Path(self.dir.name)
        self.path = d
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        (d / "kea-dhcp4.conf").write_text(json.dumps({"Dhcp4": {
            "interfaces-config": {"interfaces": ["lo"], "dhcp-socket-type": "udp"},
            "control-socket": {"socket-type": "unix", "socket-name": str(d / "k4.sock")},
            "lease-database": {"type": "memfile", "persist": True, "lfc-interval": 0, "name": str(d / "leases4.csv")},
            "hooks-libraries": [{"library": self.HOOKS + "/libdhcp_lease_cmds.so"}],
            "subnet4": [],
            "loggers": [{"name": "kea-dhcp4", "severity": "WARN", "output_options": [{"output": "stdout"}]}]}}))
        (d / "agent.conf").write_text(json.dumps({"Control-agent": {
            "http-host": "127.0.0.1", "http-port": self.port,
            "authentication": {"type": "basic", "realm": "kea",
                               "clients": [{"user": self.USER, "password": self.PASSWORD}]},
            "control-sockets": {"dhcp4": {"socket-type": "unix", "socket-name": str(d / "k4.sock")}},
            "loggers": [{"name": "kea-ctrl-agent", "severity": "WARN", "output_options": [{"output": "stdout"}]}]}}))
        env = dict(os.environ, KEA_PIDFILE_DIR=str(d), KEA_LOCKFILE_DIR=str(d))
        env.pop("LD_PRELOAD", None)  # the ASan runtime is for the interpreter, not for Kea
        self.log = open(d / "kea.log", "w")
        self.procs = [subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env)
                      for argv in (["kea-dhcp4", "-c", str(d / "kea-dhcp4.conf"), "-p", str(free_port())],
                                   ["kea-ctrl-agent", "-c", str(d / "agent.conf")])]
        deadline = time.monotonic() + 20
        while True:  # ready when the agent reaches kea-dhcp4
            try:
                if self.command("list-commands")["result"] == 0:
                    break
            except OSError:
                pass
            if any(p.poll() is not None for p in self.procs) or time.monotonic() > deadline:
                self.stop()
                pytest.fail("Kea did not come up: " + (d / "kea.log").read_text())
            time.sleep(0.025)

    def command(self, command, args=None):
        """One command to kea-dhcp4 through the agent: its answer."""
        body = {"command": command, "service": ["dhcp4"]}
        if args is not None:
            body["arguments"] = args
        req = urllib.request.Request(self.url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        auth = base64.b64encode(f"{self.USER}:{self.PASSWORD}".encode()).decode()
        req.add_header("Authorization", "Basic " + auth)
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())[0]

    def stop(self):
        for p in self.procs:
            p.kill()
            p.wait()
        self.log.close()
        self.dir.cleanup()
