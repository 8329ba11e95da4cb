package ipam

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Real servers for the tests, started the way the C tests start them:
// BIND through dtnamed (tests/dns/dns_test.c's dt_start as a program), the
// clouds' stand-ins through tests/discover/cloud_server.py, and snmpd on a
// free port of 127.0.0.1. Each stops when the test ends.

// child starts a program that prints one line when ready and stops when
// its stdin closes; it returns that line.
func child(t *testing.T, cmd *exec.Cmd) []string {
	t.Helper()
	in, err := cmd.StdinPipe()
	must(t, err)
	out, err := cmd.StdoutPipe()
	must(t, err)
	cmd.Stderr = os.Stderr
	must(t, cmd.Start())
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil && err != io.EOF {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, out)
	return strings.Fields(line)
}

type named struct {
	port            int
	keyName, secret string
}

// startNamed serves zones (origin -> zone file text) with named.
func startNamed(t *testing.T, zones map[string]string) named {
	exe := os.Getenv("IPAM_DTNAMED")
	if exe == "" {
		t.Fatal("IPAM_DTNAMED is not set: run the tests with meson test")
	}
	dir := t.TempDir()
	var args []string
	i := 0
	for origin, text := range zones {
		p := filepath.Join(dir, "zone"+strconv.Itoa(i))
		must(t, os.WriteFile(p, []byte(text), 0o600))
		args = append(args, origin, p)
		i++
	}
	f := child(t, exec.Command(exe, args...))
	if len(f) != 3 {
		t.Fatalf("dtnamed did not start named: %q", f)
	}
	port, _ := strconv.Atoi(f[0])
	return named{port, f[1], f[2]}
}

const cloudKey, cloudSecret = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

// startClouds starts tests/discover/cloud_server.py; its base URL.
func startClouds(t *testing.T) string {
	script := filepath.Join(os.Getenv("IPAM_SRC"), "tests", "discover", "cloud_server.py")
	f := child(t, exec.Command("python3", script, cloudKey, cloudSecret))
	if len(f) != 1 {
		t.Fatalf("cloud_server.py did not start: %q", f)
	}
	return "http://127.0.0.1:" + f[0]
}

func freePort(t *testing.T) int {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.LocalAddr().(*net.UDPAddr).Port
}

// startSnmpd starts snmpd (v2c community public; v3 user ipamuser with
// SHA "authpass123" and AES "privpass123"); its "127.0.0.1:PORT".
func startSnmpd(t *testing.T) string {
	if _, err := exec.LookPath("snmpd"); err != nil {
		t.Fatal("snmpd is not installed (apt-get install snmpd)")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "snmpd.conf")
	must(t, os.WriteFile(conf, []byte("rocommunity public 127.0.0.1\n"+
		"createUser ipamuser SHA \"authpass123\" AES \"privpass123\"\nrouser ipamuser priv\n"), 0o600))
	host := "127.0.0.1:" + strconv.Itoa(freePort(t))
	env := append(os.Environ(), "SNMP_PERSISTENT_DIR="+dir, "MIBS=")
	cmd := exec.Command("snmpd", "-f", "-Lo", "-C", "-m", "", "-c", conf, "-p", filepath.Join(dir, "pid"), "udp:"+host)
	cmd.Env = env
	must(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	// ready when it answers the probe itself (no client tools needed)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		s, err := NewObservations()
		must(t, err)
		errs, _ := DiscoverSNMP(bg, s, []SNMPTarget{{Host: host, Community: "public"}}, &SNMPOptions{Timeout: 200 * time.Millisecond})
		s.Close()
		if len(errs) == 1 && errs[0] == nil {
			return host
		}
	}
	t.Fatal("snmpd did not answer within 10 s")
	return ""
}
