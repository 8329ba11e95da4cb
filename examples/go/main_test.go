package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The example does its job: run it twice on one file and check what it printed.
func TestExample(t *testing.T) {
	file := filepath.Join(t.TempDir(), "workers.db")
	t.Setenv("IPAM_KEY", "example key")
	var out strings.Builder
	if err := run(context.Background(), []string{file, "4", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	each := regexp.MustCompile(`^goroutine \d: (10\.50\.0\.\d+=worker\d-\d\.example\.net ?){3}$`)
	for _, l := range lines[:4] {
		if !each.MatchString(l) {
			t.Fatalf("line %q", l)
		}
	}
	want := "12 addresses from 10.50.0.1 to 10.50.0.12, distinct: true; 10.50.0.0/24 now has 12 of 256 in use"
	if lines[4] != want {
		t.Fatalf("summary %q, want %q", lines[4], want)
	}
	if want := `zone example.net.: 12 A records, the first "worker1-1 300 IN A 10.50.0.`; !strings.HasPrefix(lines[5], want) {
		t.Fatalf("zone %q", lines[5])
	}
	out.Reset()
	if err := run(context.Background(), []string{file, "2", "1"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2 addresses from 10.50.0.13 to 10.50.0.14, distinct: true; 10.50.0.0/24 now has 14 of 256") {
		t.Fatalf("second run:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "zone example.net.: 14 A records") {
		t.Fatalf("second run's zone:\n%s", out.String())
	}
	t.Setenv("IPAM_KEY", "wrong")
	if err := run(context.Background(), []string{file}, &out); err == nil || !strings.Contains(err.Error(), "ipam:") {
		t.Fatalf("wrong key: %v", err)
	}
	if err := run(context.Background(), nil, &out); err == nil || !strings.HasPrefix(err.Error(), "usage:") {
		t.Fatalf("no arguments: %v", err)
	}
}
