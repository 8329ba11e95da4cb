package ipam

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

// A cloud inventory call to an HTTP server that never answers, with a
// context done after 200 ms: the C call itself stops (the server sees the
// client go) and the call returns ctx.Err() within ~300 ms, the store as it
// was.
func TestCancelStopsTheCCall(t *testing.T) {
	gone := make(chan time.Time, 4)
	quit := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // read to its end, the server then notices the client going
		select {                    // never answers; ends when the client goes
		case <-r.Context().Done():
			gone <- time.Now()
		case <-quit:
		}
	}))
	defer srv.Close()
	defer close(quit) // before Close, which waits for the handlers
	db := open(t, "memory:")
	before, err := db.Stats(bg)
	must(t, err)
	rev, err := db.Revision(bg)
	must(t, err)
	for _, tc := range []struct {
		name string
		db   *DB
	}{{"without a store", nil}, {"with a store", db}} {
		ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
		start := time.Now()
		err := DiscoverAWS(ctx, newObs(t), tc.db, &AWSOptions{Region: "eu-west-1", Endpoint: srv.URL + "/",
			AccessKey: "AKIDEXAMPLE", SecretKey: "secret", Timeout: 10 * time.Second})
		took := time.Since(start)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if took > 450*time.Millisecond {
			t.Fatalf("%s: returned after %v", tc.name, took)
		}
		select {
		case at := <-gone:
			if d := at.Sub(start); d > 500*time.Millisecond {
				t.Fatalf("%s: the C call let go of the server after %v", tc.name, d)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("%s: the C call still holds the connection", tc.name)
		}
	}
	after, err := db.Stats(bg)
	must(t, err)
	rev2, err := db.Revision(bg)
	must(t, err)
	if after != before || rev2 != rev {
		t.Fatalf("the store changed: %+v -> %+v, revision %d -> %d", before, after, rev, rev2)
	}
	// a context that is never done costs no token and changes nothing
	must(t, db.AddSpace(context.Background(), "after", nil))
	// one done before the call: the call does not start
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if err := DiscoverAWS(ctx, newObs(t), db, &AWSOptions{Region: "eu-west-1", Endpoint: srv.URL + "/"}); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// A TCP sweep that would take 12.7 s (254 addresses at 20 a second), with
// a context done after 200 ms: the C loop stops on its token and Sweep
// returns ctx.Err() at once, what it saw (127.0.0.1, listening) kept in s.
func TestCancelStopsASweep(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	port := uint16(l.Addr().(*net.TCPAddr).Port)
	s := newObs(t)
	ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = Sweep(ctx, s, netip.MustParsePrefix("127.0.0.0/24"), &SweepOptions{TCPPorts: []uint16{port}, Rate: 20,
		Timeout: 10 * time.Second})
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
	if took > 450*time.Millisecond {
		t.Fatalf("returned after %v", took)
	}
	t.Logf("stopped: the sweep returned %v after the start (the context was done at 200 ms)", took)
	if s.Len() != 1 {
		t.Fatalf("%d observations, want 127.0.0.1's", s.Len())
	}
	o, err := s.At(0)
	must(t, err)
	if o.Addr != netip.MustParseAddr("127.0.0.1") || o.Source != "tcp" {
		t.Fatalf("%+v", o)
	}
}
