#!/usr/bin/env python3
"""A small real job with libipam from Python: carve a subnet for a new
service out of a site's block, give its hosts addresses and DNS names, keep
the first addresses for the routers, render the site's DNS zone (the hosts'
A records follow from their addresses), and export everything (history
included) for the backup.

usage: subnet_hosts.py DB EXPORT.json [HOST...]
  DB           an encrypted libipam file (created if missing; its
               passphrase from $IPAM_KEY), or memory:
  EXPORT.json  where to write the export
  HOST         short host names (default: web1 web2 web3)
"""

import os
import sys

import ipam


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__[__doc__.index("usage:"):], file=sys.stderr, end="")
        return 2
    uri, export_path, hosts = argv[1], argv[2], argv[3:] or ["web1", "web2", "web3"]
    if uri != "memory:":
        uri = "file:" + uri
    with ipam.open(uri, key=os.environ.get("IPAM_KEY"), create=True, actor="subnet_hosts.py") as db:
        def setup(db: ipam.DB) -> ipam.Prefix:
            try:
                site = db.space("ams1")
            except ipam.NotFound:
                site = db.add_space("ams1", labels={"site": "ams1", "env": "prod"})
            try:
                return db.prefix("10.40.0.0/16", space=site.name)
            except ipam.NotFound:
                return site.add_prefix("10.40.0.0/16", status="container", description="ams1 site block")

        block = db.run(setup)

        def zone(db: ipam.DB) -> ipam.Zone:
            try:
                return db.zone("ams1.example.net")
            except ipam.NotFound:
                return db.add_zone("ams1.example.net", space="ams1", ns=["ns1.example.net.", "ns2.example.net."],
                                   ttl=300)

        site_zone = db.run(zone)

        # One transaction: the subnet, its router range and its hosts land together or not at all.
        with db.transaction():
            subnet = block.alloc_prefix(26, description="web service")
            first = subnet.network.network_address
            db.add_range(first + 1, first + 3, space=subnet.space, purpose="reserved", description="routers")
            for name in hosts:
                subnet.alloc_address(hostname=f"{name}.ams1.example.net")

        print(f"subnet {subnet.network} in space {subnet.space} (of {block.network})")
        for r in db.ranges(space=subnet.space, within=subnet.network):
            print(f"  {r.first}-{r.last}  {r.purpose}: {r.description}")
        for a in subnet.addresses():
            print(f"  {a.address}  {a.hostname}")
        u = subnet.utilization()
        print(f"used {u.used} of {u.total} addresses ({u.used_percent:.1f}%)")

        # The zone file, for BIND, Knot or CoreDNS: every named address of the space is in it.
        text = site_zone.render()
        hosts_in_zone = [line for line in text.splitlines() if "\tIN\tA\t" in line]
        print(f"zone {site_zone.name} ({len(hosts_in_zone)} A records):")
        for line in hosts_in_zone:
            print("  " + line.replace("\t", " "))

        with open(export_path, "w") as f:
            f.write(db.export())
        print(f"exported to {export_path}, audit chain of {db.verify_audit().entries} entries verified")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
