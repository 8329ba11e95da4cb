"""libipam for Python: an embeddable IP address management engine.

    import ipam

    with ipam.open("memory:") as db:
        net = db.add_prefix("192.0.2.0/24")
        ip = net.alloc_address(hostname="web1.example.net")   # IPv4Address('192.0.2.1')

Addresses and prefixes go in as str or ipaddress objects and come out as
ipaddress objects; spaces, prefixes, addresses and ranges come out as
objects with properties; listings are iterators; failures raise a subclass
of :class:`ipam.Error` carrying the C library's message. See
docs/bindings.md.
"""

from . import capi
from ._db import DB, open
from ._discover import (Drift, Observation, Observations, ReconcileReport, SnmpTarget, cloud_dns_aws, cloud_dns_azure,
                        cloud_dns_gcp, discover_aws, discover_azure, discover_gcp, discover_rdns, discover_snmp,
                        sweep)
from ._dhcp import DhcpImport, LeaseSync
from ._dns import AdoptResult, DiffResult, PushResult, Zone, ZoneRecord, render_rpz, zone_file_name
from ._import import Import, suggest_csv_mapping
from ._errors import (AuthError, BackendError, Canceled, Conflict, Error, Exhausted, Exists, InUse, InvalidArgument,
                      IOFailure, NotFound, OutOfMemory, PermissionDenied, TamperError)
from ._objects import (Address, AuditEntry, AuditReport, IPAddress, IPNetwork, Prefix, Range, Space, Stats,
                       Utilization)
from ._version import __version__

#: the version of the libipam library loaded (``ipam_version()``)
library_version: str = capi.ipam_version()

__all__ = [
    "open", "DB", "Space", "Prefix", "Address", "Range", "Utilization", "Stats", "AuditEntry", "AuditReport",
    "IPAddress", "IPNetwork",
    "Zone", "ZoneRecord", "PushResult", "DiffResult", "AdoptResult", "render_rpz", "zone_file_name", "Import",
    "suggest_csv_mapping",
    "Observation", "Observations", "Drift", "ReconcileReport", "SnmpTarget", "discover_snmp", "sweep",
    "discover_rdns", "discover_aws", "discover_azure", "discover_gcp", "cloud_dns_aws", "cloud_dns_azure",
    "cloud_dns_gcp", "LeaseSync", "DhcpImport",
    "Error", "InvalidArgument", "NotFound", "Exists", "Exhausted", "Conflict", "AuthError", "PermissionDenied",
    "BackendError", "IOFailure", "OutOfMemory", "InUse", "TamperError", "Canceled",
    "__version__", "library_version",
]
