package ipam

/*
#include <ipam.h>
*/
import "C"

import "context"

// canceller is a cancellation token (ipam/cancel.h) attached to the
// calling goroutine's OS thread for one C call: a goroutine watching the
// context triggers it when the context is done, and the C call (one that
// waits on the network: the clouds, PowerDNS, Kea's agent) returns
// IPAM_ECANCELED at once, which the binding returns as ctx.Err().
type canceller struct {
	tok       *C.ipam_cancel
	stop      chan struct{}
	unwatched chan struct{}
}

// attachCancel attaches a token to this OS thread, which the caller has
// pinned, when ctx can be done (nil otherwise: nothing to attach, nothing
// spent).
func attachCancel(ctx context.Context) *canceller {
	if ctx.Done() == nil {
		return nil
	}
	k := &canceller{stop: make(chan struct{}), unwatched: make(chan struct{})}
	if C.ipam_cancel_new(&k.tok) != 0 || C.ipam_cancel_attach(k.tok) != 0 {
		C.ipam_cancel_free(k.tok)
		return nil // no descriptor left: the call runs to its end, as without a context
	}
	go func() {
		defer close(k.unwatched)
		select {
		case <-ctx.Done():
			C.ipam_cancel_trigger(k.tok)
		case <-k.stop:
		}
	}()
	return k
}

// detach ends the call on its thread: the error of rc (read first, on the
// call's thread), ctx.Err() when the token stopped it; the watcher has
// ended and the token is freed when it returns.
func (k *canceller) detach(ctx context.Context, rc C.int) error {
	err := errorOf(rc)
	if k == nil {
		return err
	}
	C.ipam_cancel_detach()
	close(k.stop)
	<-k.unwatched
	C.ipam_cancel_free(k.tok)
	if rc == C.IPAM_ECANCELED && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
