package ipam

/*
#include <ipam.h>
#include <stdlib.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"unsafe"
)

// ImportOptions of NewImport. The zero value (or nil) imports every source
// space into the space of the same name.
type ImportOptions struct {
	// Space puts every object into this space.
	Space string
	// SpaceMap names the space for a source space (VRF, network view).
	SpaceMap map[string]string
	// DryRun computes what would change and leaves the database as it was.
	DryRun bool
	// AllOrNothing imports nothing when any row is bad.
	AllOrNothing bool
	// Mapping is the JSON mapping the "csv" format reads through (column ->
	// field, transforms; SuggestCSVMapping proposes one).
	Mapping string
}

// ImportCounts are the objects of one outcome in an ImportReport.
type ImportCounts struct {
	Spaces    int `json:"spaces"`
	Prefixes  int `json:"prefixes"`
	Ranges    int `json:"ranges"`
	Addresses int `json:"addresses"`
	Records   int `json:"records"`
}

// ImportError is a bad row: skipped, and said where.
type ImportError struct {
	File    string `json:"file"`
	Line    int    `json:"line"` // 1-based physical line where the record starts
	Field   string `json:"field"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

// ImportReport is what an import did to every row.
type ImportReport struct {
	Imported  ImportCounts  `json:"imported"`
	Updated   ImportCounts  `json:"updated"`
	Unchanged ImportCounts  `json:"unchanged"`
	Skipped   ImportCounts  `json:"skipped"`
	Errors    []ImportError `json:"errors"`
	Notes     []string      `json:"notes"`
}

// Import is one import of another system's export: add files, then Apply
// it to a database once, then read its Report. Bad rows are reported and
// skipped, not returned as errors. An Import is used by one goroutine at a
// time; Close frees it (a cleanup does, as a safety net).
type Import struct {
	c       *C.ipam_import
	cleanup runtime.Cleanup
}

// NewImport starts an import of a format: "netbox-csv", "netbox-json",
// "infoblox" or "phpipam-sql".
func NewImport(format string, o *ImportOptions) (*Import, error) {
	var cs cstrings
	defer cs.free()
	fname := cs.str(format)
	var opts C.ipam_import_options
	C.ipam_import_options_init(&opts, C.IPAM_IMPORT_OPTIONS_VERSION)
	if o != nil {
		opts.space = cs.str(o.Space)
		if o.DryRun {
			opts.flags |= C.IPAM_IMPORT_DRY_RUN
		}
		if o.AllOrNothing {
			opts.flags |= C.IPAM_IMPORT_ALL_OR_NOTHING
		}
		words := make([]string, 0, len(o.SpaceMap))
		for k, v := range o.SpaceMap {
			words = append(words, k+"="+v)
		}
		if len(words) > 0 {
			opts.space_map, opts.nspace_map = cs.strv(words), C.size_t(len(words))
		}
	}
	var mapping *C.char
	if o != nil {
		mapping = cs.str(o.Mapping)
	}
	var imp *C.ipam_import
	err := onThread(func() C.int {
		var f C.ipam_import_format
		if rc := C.ipam_import_format_parse(&f, fname); rc < 0 {
			return rc
		}
		rc := C.ipam_import_new(&imp, f, &opts)
		if rc == 0 && mapping != nil {
			if rc = C.ipam_import_set_mapping(imp, mapping); rc < 0 {
				C.ipam_import_free(imp)
				imp = nil
			}
		}
		return rc
	})
	if err != nil {
		return nil, err
	}
	i := &Import{c: imp}
	i.cleanup = runtime.AddCleanup(i, func(c *C.ipam_import) { C.ipam_import_free(c) }, imp)
	return i, nil
}

func (i *Import) handle() (*C.ipam_import, error) {
	if i.c == nil {
		return nil, errorf(ErrClosed, "the import is closed")
	}
	return i.c, nil
}

// AddFile reads a file into the model. ErrIO when it cannot be read,
// ErrInvalid when it is not of the format at all.
func (i *Import) AddFile(ctx context.Context, path string) error {
	c, err := i.handle()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return err
	}
	p := C.CString(path)
	defer C.free(unsafe.Pointer(p))
	return onThread(func() C.int { return C.ipam_import_add_file(c, p) })
}

// AddData is AddFile for bytes in memory; name is the file name the report
// uses.
func (i *Import) AddData(ctx context.Context, name string, data []byte) error {
	c, err := i.handle()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return err
	}
	n := C.CString(name)
	defer C.free(unsafe.Pointer(n))
	d := C.CBytes(data)
	defer C.free(d)
	return onThread(func() C.int { return C.ipam_import_add_buffer(c, n, (*C.char)(d), C.size_t(len(data))) })
}

// Apply writes the model to db in one transaction (run again when another
// writer wins a race) and returns Status. Call it once.
func (i *Import) Apply(ctx context.Context, db *DB) (int, error) {
	c, err := i.handle()
	if err != nil {
		return 0, err
	}
	if err := db.cancellable(ctx, func(d *C.ipam_db) C.int { return C.ipam_import_apply(c, d) }); err != nil {
		return 0, err
	}
	return i.Status(), nil
}

// Report tells what happened to every row so far.
func (i *Import) Report() (ImportReport, error) {
	var r ImportReport
	c, err := i.handle()
	if err != nil {
		return r, err
	}
	var b C.ipam_buf
	defer C.ipam_buf_dispose(&b)
	if err := onThread(func() C.int { return C.ipam_import_report(&b, c) }); err != nil {
		return r, err
	}
	err = json.Unmarshal([]byte(bufString(&b)), &r)
	return r, err
}

// Status is how the import went: 0 when every row was taken, 3 when some
// rows were skipped, 1 when nothing could be imported.
func (i *Import) Status() int {
	if i.c == nil {
		return 1
	}
	return int(C.ipam_import_status(i.c))
}

// Close frees the import; closing twice is a no-op.
func (i *Import) Close() {
	if i.c != nil {
		i.cleanup.Stop()
		C.ipam_import_free(i.c)
		i.c = nil
	}
}

// ImportFiles imports files of one format into db and returns the report.
func (db *DB) ImportFiles(ctx context.Context, format string, files []string, o *ImportOptions) (ImportReport, error) {
	imp, err := NewImport(format, o)
	if err != nil {
		return ImportReport{}, err
	}
	defer imp.Close()
	for _, f := range files {
		if err := imp.AddFile(ctx, f); err != nil {
			return ImportReport{}, err
		}
	}
	if _, err := imp.Apply(ctx, db); err != nil {
		return ImportReport{}, err
	}
	return imp.Report()
}

// CSVKind is what ExportCSV writes.
type CSVKind int

// The CSV exports.
const (
	NetBoxVRFs      CSVKind = C.IPAM_EXPORT_NETBOX_VRFS      // vrfs.csv: the spaces but "default"
	NetBoxPrefixes  CSVKind = C.IPAM_EXPORT_NETBOX_PREFIXES  // prefixes.csv
	NetBoxRanges    CSVKind = C.IPAM_EXPORT_NETBOX_RANGES    // ip-ranges.csv
	NetBoxAddresses CSVKind = C.IPAM_EXPORT_NETBOX_ADDRESSES // ip-addresses.csv
	InfobloxCSV     CSVKind = C.IPAM_EXPORT_INFOBLOX         // one Infoblox NIOS CSV export
)

// ExportCSV writes the store as CSV another system's bulk import takes and
// this library's importer reads back.
func (db *DB) ExportCSV(ctx context.Context, kind CSVKind) (string, error) {
	return db.callBuf(ctx, func(c *C.ipam_db, b *C.ipam_buf) C.int {
		return C.ipam_export_csv(b, c, C.ipam_export_csv_kind(kind))
	})
}

// SuggestCSVMapping guesses a mapping for a CSV file from its header and
// first rows, for a person to review (its "review" array says why each
// column got its field): the JSON ImportOptions.Mapping takes.
func SuggestCSVMapping(name string, data []byte) (string, error) {
	n := C.CString(name)
	defer C.free(unsafe.Pointer(n))
	d := C.CBytes(data)
	defer C.free(d)
	var b C.ipam_buf
	defer C.ipam_buf_dispose(&b)
	if err := onThread(func() C.int { return C.ipam_import_suggest(&b, n, (*C.char)(d), C.size_t(len(data))) }); err != nil {
		return "", err
	}
	return bufString(&b), nil
}
