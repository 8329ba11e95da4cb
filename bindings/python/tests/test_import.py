"""Importers (include/ipam/import.h) and the CSV exports from Python: what
export_csv writes, Import reads back to the same objects."""

import pytest

import ipam


@pytest.fixture
def filled(db):
    db.add_space("lab", labels={"site": "ams"})
    db.add_prefix("10.0.0.0/16", space="lab", status="container")
    db.add_prefix("10.0.1.0/24", space="lab", description="servers")
    db.add_address("10.0.1.5", space="lab", hostname="web5.example.test", attrs={"owner": "ops"})
    db.add_range("10.0.1.100", "10.0.1.150", space="lab")
    db.add_prefix("192.0.2.0/24")
    db.add_address("192.0.2.7", hostname="gw.example.test", status="reserved")
    return db


def test_export_csv_kinds(filled):
    vrfs = filled.export_csv("netbox-vrfs")
    assert vrfs.splitlines()[0].startswith("name") and "lab" in vrfs and "default" not in vrfs.splitlines()[1:]
    assert "10.0.1.0/24" in filled.export_csv("netbox-prefixes")
    assert "10.0.1.100/24" in filled.export_csv("netbox-ranges")
    addrs = filled.export_csv("netbox-addresses")
    assert "10.0.1.5/24" in addrs and "cf_owner" in addrs
    assert "header-network" in filled.export_csv("infoblox")
    with pytest.raises(ipam.InvalidArgument, match="netbox-prefixes"):
        filled.export_csv("excel")


def test_netbox_round_trip(filled, tmp_path):
    files = {k: filled.export_csv("netbox-" + k) for k in ("vrfs", "prefixes", "ranges", "addresses")}
    for k, text in files.items():
        (tmp_path / f"{k}.csv").write_text(text)
    with ipam.open() as db2:
        imp = ipam.Import("netbox-csv")
        assert imp.format == "netbox-csv" and "netbox-csv" in repr(imp)
        for k in ("vrfs", "prefixes", "ranges"):
            assert imp.add_file(tmp_path / f"{k}.csv") is imp
        imp.add_text("ip-addresses.csv", files["addresses"].encode())
        assert imp.apply(db2) == 0 and imp.status == 0 and "applied" in repr(imp)
        rep = imp.report
        assert rep["imported"]["prefixes"] == 3 and rep["imported"]["addresses"] == 2 and rep["errors"] == []
        a = db2.address("10.0.1.5", space="lab")
        # (the importer also keeps NetBox columns it has no field for: status, prefix_length)
        assert a.hostname == "web5.example.test" and a.attrs["owner"] == "ops"
        # again: every row unchanged
        again = db2.import_files("netbox-csv", [tmp_path / f"{k}.csv" for k in ("vrfs", "prefixes", "ranges")])
        assert again["unchanged"]["prefixes"] == 3 and again["imported"]["prefixes"] == 0


def test_infoblox_into_one_space_dry_run(filled):
    text = filled.export_csv("infoblox")
    with ipam.open() as db2:
        db2.add_space("moved")
        imp = ipam.Import("infoblox", space="moved", dry_run=True).add_text("nios.csv", text)
        imp.apply(db2)
        assert imp.report["imported"]["addresses"] == 2
        assert list(db2.addresses(space="moved")) == []  # a dry run leaves the store as it was
        rep = db2.import_files("infoblox", [], space_map={"default": "moved"})
        assert rep["imported"]["prefixes"] == 0


def test_bad_rows_and_errors(db, tmp_path):
    bad = "prefix,vrf,status\n10.0.0.0/8,,active\nnot-a-prefix,,active\n"
    imp = ipam.Import("netbox-csv").add_text("prefixes.csv", bad)
    assert imp.apply(db) == 3
    err = imp.report["errors"][0]
    assert err["file"] == "prefixes.csv" and err["line"] == 3 and err["field"] == "prefix"
    assert [str(p.network) for p in db.prefixes()] == ["10.0.0.0/8"]
    with ipam.open() as db2:
        strict = ipam.Import("netbox-csv", all_or_nothing=True).add_text("prefixes.csv", bad)
        assert strict.apply(db2) == 1 and list(db2.prefixes()) == []
    with pytest.raises(ipam.InvalidArgument, match="netbox-csv"):
        ipam.Import("lotus-notes")
    with pytest.raises(ipam.IOFailure, match="missing.csv"):
        ipam.Import("netbox-csv").add_file(tmp_path / "missing.csv")
    with pytest.raises(ipam.InvalidArgument):
        ipam.Import("netbox-csv", space_map={"": ""})
    imp = ipam.Import("netbox-csv")
    imp.apply(db)
    with pytest.raises(ipam.InvalidArgument):
        imp.apply(db)  # once per import


def test_csv_mapping_and_suggest(db):
    text = "ip,hostname,mac\n10.0.0.5,a.example,00-11-22-33-44-55\n10.0.0.6,b.example,0011.2233.4466\n"
    m = ipam.suggest_csv_mapping("hosts.csv", text)
    assert m["columns"] == {"ip": {"field": "address"}, "hostname": {"field": "hostname"}, "mac": {"field": "mac"}}
    assert len(m["review"]) == 3
    db.add_prefix("10.0.0.0/24")
    imp = ipam.Import("csv", mapping=m).add_text("hosts.csv", text)
    assert imp.apply(db) == 0 and imp.report["imported"]["addresses"] == 2
    assert db.address("10.0.0.6").hostname == "b.example" and str(db.address("10.0.0.6").mac) == "00:11:22:33:44:66"
    with pytest.raises(ipam.InvalidArgument, match="column 'ip': 'nonsense' is not a field"):
        ipam.Import("csv", mapping={"columns": {"ip": {"field": "nonsense"}}})
    with pytest.raises(ipam.InvalidArgument):
        ipam.suggest_csv_mapping("empty.csv", "")
