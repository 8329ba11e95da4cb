package ipam

/*
#include <ipam.h>
*/
import "C"

import "strings"

// Code is a libipam error code (a negative IPAM_E* value). The codes are
// errors, so that errors.Is(err, ipam.ErrExhausted) tells a failure's kind.
type Code int

// The error codes of the C API, and ErrClosed for a call on a closed DB.
const (
	ErrGeneric    Code = C.IPAM_ERROR      // generic error
	ErrInvalid    Code = C.IPAM_EINVAL     // invalid argument or input (the message says what and where)
	ErrNotFound   Code = C.IPAM_ENOTFOUND  // the object does not exist
	ErrExists     Code = C.IPAM_EEXISTS    // the object exists already
	ErrExhausted  Code = C.IPAM_EEXHAUSTED // no free address or block is left
	ErrConflict   Code = C.IPAM_ECONFLICT  // a concurrent change won; run the transaction again (Run does)
	ErrAuth       Code = C.IPAM_EAUTH      // wrong key
	ErrPermission Code = C.IPAM_EPERM      // not permitted
	ErrBackend    Code = C.IPAM_EBACKEND   // the store failed
	ErrIO         Code = C.IPAM_EIO        // input/output error
	ErrNoMemory   Code = C.IPAM_ENOMEM     // out of memory
	ErrInUse      Code = C.IPAM_EINUSE     // the object is in use and cannot be removed
	ErrTamper     Code = C.IPAM_ETAMPER    // the audit chain does not verify
	ErrCanceled   Code = C.IPAM_ECANCELED  // the call's cancellation token was triggered (a call given a context returns ctx.Err() instead)
	ErrClosed     Code = -100              // the DB is closed (this package's own)
)

// Name is the code's short name as the C library's JSON spells it
// ("EXHAUSTED"; "CLOSED" for ErrClosed).
func (c Code) Name() string {
	if c == ErrClosed {
		return "CLOSED"
	}
	return C.GoString(C.ipam_error_name(C.int(c)))
}

// Error makes a Code an error: "ipam: exhausted".
func (c Code) Error() string {
	return "ipam: " + strings.ToLower(c.Name())
}

// Error is a failure of a libipam call.
type Error struct {
	Code    Code   // what kind of failure
	Message string // the C library's message, with its context
}

func (e *Error) Error() string { return "ipam: " + e.Message }

// Unwrap gives the Code, for errors.Is.
func (e *Error) Unwrap() error { return e.Code }

// lastError is the error of a call that returned rc < 0, read from the C
// library's thread-local last error: the caller holds its OS thread.
func lastError(rc C.int) error {
	e := C.ipam_error_last()
	msg := Code(rc).Name()
	if e.code == rc {
		msg = C.GoString(e.message)
	}
	return &Error{Code: Code(rc), Message: msg}
}

func errorf(code Code, msg string) error {
	return &Error{Code: code, Message: msg}
}
