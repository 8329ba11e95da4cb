package ipam

/*
#include <ipam.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"iter"
)

// Space is a space (VRF, network view): where addresses are unique.
type Space struct {
	Name   string
	Labels map[string]string // nil when it has none
}

func goSpace(i *C.ipam_space_info) Space {
	s := Space{Name: goString(i.name)}
	if l := goString(i.labels_json); l != "" && l != "{}" {
		_ = json.Unmarshal([]byte(l), &s.Labels) // the library writes an object of strings
	}
	return s
}

// AddSpace adds a space; labels place it in its deployment context
// ({"provider": "aws", "region": "eu-west-1"}).
func (db *DB) AddSpace(ctx context.Context, name string, labels map[string]string) error {
	lj, err := jsonText(labels)
	if err != nil {
		return err
	}
	var cs cstrings
	defer cs.free()
	l := cs.str(lj)
	return db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_space_add(c, n, l) })
}

// Space looks a space up ("" is "default").
func (db *DB) Space(ctx context.Context, name string) (Space, error) {
	var info C.ipam_space_info
	info.version = C.IPAM_SPACE_INFO_VERSION
	defer C.ipam_space_info_dispose(&info)
	if err := db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_space_get(&info, c, n) }); err != nil {
		return Space{}, err
	}
	return goSpace(&info), nil
}

// RemoveSpace removes an empty space (ErrInUse if it holds anything,
// ErrPermission for "default").
func (db *DB) RemoveSpace(ctx context.Context, name string) error {
	return db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_space_rm(c, n) })
}

// Spaces iterates over every space, in name order.
func (db *DB) Spaces(ctx context.Context) iter.Seq2[Space, error] {
	return rows(ctx, db, func() cursor[Space] { return new(spaceCursor) })
}

type spaceCursor struct {
	it   *C.ipam_space_iter
	info C.ipam_space_info
}

func (k *spaceCursor) start(c *C.ipam_db) C.int {
	k.info.version = C.IPAM_SPACE_INFO_VERSION
	return C.ipam_space_iter_new(&k.it, c)
}

func (k *spaceCursor) next() (Space, C.int) {
	rc := C.ipam_space_iter_next(&k.info, k.it)
	return goSpace(&k.info), rc
}

func (k *spaceCursor) free() {
	C.ipam_space_info_dispose(&k.info)
	C.ipam_space_iter_free(k.it)
}
