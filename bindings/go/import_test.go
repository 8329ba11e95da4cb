package ipam

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func filled(t *testing.T) *DB {
	db := open(t, "memory:")
	must(t, db.AddSpace(bg, "lab", map[string]string{"site": "ams"}))
	must(t, db.AddPrefix(bg, pfx("10.0.0.0/16"), &PrefixOptions{Space: "lab", Status: StatusContainer}))
	must(t, db.AddPrefix(bg, pfx("10.0.1.0/24"), &PrefixOptions{Space: "lab"}))
	must(t, db.AddAddress(bg, addr("10.0.1.5"), &AddressOptions{Space: "lab", Hostname: "web5.example.test",
		Attrs: map[string]any{"owner": "ops"}}))
	must(t, db.AddRange(bg, addr("10.0.1.100"), addr("10.0.1.150"), &RangeOptions{Space: "lab"}))
	return db
}

func TestExportCSVAndImport(t *testing.T) {
	db := filled(t)
	dir := t.TempDir()
	kinds := map[CSVKind]string{NetBoxVRFs: "vrfs", NetBoxPrefixes: "prefixes", NetBoxRanges: "ranges", NetBoxAddresses: "addresses"}
	var files []string
	for _, k := range []CSVKind{NetBoxVRFs, NetBoxPrefixes, NetBoxRanges} {
		text, err := db.ExportCSV(bg, k)
		must(t, err)
		p := filepath.Join(dir, kinds[k]+".csv")
		must(t, os.WriteFile(p, []byte(text), 0o600))
		files = append(files, p)
	}
	addrs, err := db.ExportCSV(bg, NetBoxAddresses)
	must(t, err)
	if !strings.Contains(addrs, "10.0.1.5/24") || !strings.Contains(addrs, "cf_owner") {
		t.Fatal(addrs)
	}
	if ib, err := db.ExportCSV(bg, InfobloxCSV); err != nil || !strings.Contains(ib, "header-network") {
		t.Fatal(ib, err)
	}
	_, err = db.ExportCSV(bg, CSVKind(99))
	wantErr(t, err, ErrInvalid)

	db2 := open(t, "memory:")
	imp, err := NewImport("netbox-csv", nil)
	must(t, err)
	defer imp.Close()
	for _, f := range files {
		must(t, imp.AddFile(bg, f))
	}
	must(t, imp.AddData(bg, "ip-addresses.csv", []byte(addrs)))
	st, err := imp.Apply(bg, db2)
	must(t, err)
	rep, err := imp.Report()
	must(t, err)
	if st != 0 || imp.Status() != 0 || rep.Imported.Prefixes != 2 || rep.Imported.Addresses != 1 || len(rep.Errors) != 0 {
		t.Fatalf("status %d, %+v", st, rep)
	}
	a, err := db2.Address(bg, "lab", addr("10.0.1.5"))
	must(t, err)
	if a.Hostname != "web5.example.test" || a.Attrs["owner"] != "ops" {
		t.Fatalf("%+v", a)
	}
	_, err = imp.Apply(bg, db2)
	wantErr(t, err, ErrInvalid) // once per import
	imp.Close()
	imp.Close()
	wantErr(t, imp.AddFile(bg, files[0]), ErrClosed)

	again, err := db2.ImportFiles(bg, "netbox-csv", files, &ImportOptions{DryRun: true})
	must(t, err)
	if again.Unchanged.Prefixes != 2 || again.Imported.Prefixes != 0 {
		t.Fatalf("%+v", again)
	}
	moved, err := db2.ImportFiles(bg, "netbox-csv", files[1:2], &ImportOptions{SpaceMap: map[string]string{"lab": "lab2"}})
	must(t, err)
	if _, err := db2.Prefix(bg, "lab2", pfx("10.0.1.0/24")); err != nil || moved.Imported.Prefixes != 2 {
		t.Fatalf("mapped to lab2: %+v %v", moved, err)
	}
}

func TestImportErrors(t *testing.T) {
	db := open(t, "memory:")
	_, err := NewImport("lotus-notes", nil)
	wantErr(t, err, ErrInvalid, "netbox-csv")
	imp, err := NewImport("netbox-csv", &ImportOptions{Space: "default"})
	must(t, err)
	defer imp.Close()
	wantErr(t, imp.AddFile(bg, filepath.Join(t.TempDir(), "missing.csv")), ErrIO, "missing.csv")
	must(t, imp.AddData(bg, "prefixes.csv", []byte("prefix,vrf,status\n10.0.0.0/8,,active\nnot-a-prefix,,active\n")))
	st, err := imp.Apply(bg, db)
	must(t, err)
	rep, _ := imp.Report()
	if st != 3 || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Field != "prefix" {
		t.Fatalf("status %d, %+v", st, rep)
	}
	strict, err := NewImport("netbox-csv", &ImportOptions{AllOrNothing: true})
	must(t, err)
	defer strict.Close()
	must(t, strict.AddData(bg, "prefixes.csv", []byte("prefix,vrf,status\n10.1.0.0/16,,active\nbad,,active\n")))
	if st, err := strict.Apply(bg, db); st != 1 || err != nil {
		t.Fatalf("all or nothing: %d %v", st, err)
	}
}

func TestCSVMapping(t *testing.T) {
	text := []byte("ip,hostname,mac\n10.0.0.5,a.example,00-11-22-33-44-55\n10.0.0.6,b.example,0011.2233.4466\n")
	m, err := SuggestCSVMapping("hosts.csv", text)
	must(t, err)
	var sug struct {
		Columns map[string]struct{ Field string }
		Review  []string
	}
	must(t, json.Unmarshal([]byte(m), &sug))
	if sug.Columns["ip"].Field != "address" || sug.Columns["mac"].Field != "mac" || len(sug.Review) != 3 {
		t.Fatalf("suggested: %s", m)
	}
	db := open(t, "memory:")
	must(t, db.AddPrefix(bg, pfx("10.0.0.0/24"), nil))
	imp, err := NewImport("csv", &ImportOptions{Mapping: m})
	must(t, err)
	defer imp.Close()
	must(t, imp.AddData(bg, "hosts.csv", text))
	if st, err := imp.Apply(bg, db); err != nil || st != 0 {
		t.Fatalf("apply: %d %v", st, err)
	}
	a, err := db.Address(bg, "", addr("10.0.0.6"))
	must(t, err)
	if a.Hostname != "b.example" || a.MAC.String() != "00:11:22:33:44:66" {
		t.Fatalf("imported: %+v", a)
	}
	_, err = NewImport("csv", &ImportOptions{Mapping: `{"columns": {"ip": {"field": "nonsense"}}}`})
	wantErr(t, err, ErrInvalid, "column 'ip'")
	_, err = SuggestCSVMapping("empty.csv", nil)
	wantErr(t, err, ErrInvalid)
}
