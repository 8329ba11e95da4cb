"""DHCP: scopes, pools, reservations and options stored with the addresses,
rendered for Kea and ISC dhcpd, pushed to Kea, leases synced back and
running configs imported (include/ipam/dhcp.h, docs/dhcp.md)."""

from __future__ import annotations

import os
from typing import Any, NamedTuple, Optional, Sequence, Union

from . import _capi as capi
from ._dns import _choice, _ms

SERVER_TYPE = {"kea": capi.IPAM_DHCP_KEA, "dhcpd": capi.IPAM_DHCP_DHCPD}
RENDER_FORMAT = {"kea4": capi.IPAM_DHCP_FORMAT_KEA4, "kea6": capi.IPAM_DHCP_FORMAT_KEA6,
                 "dhcpd": capi.IPAM_DHCP_FORMAT_DHCPD}
LEASE_FORMAT = {"kea-csv": capi.IPAM_LEASES_KEA_CSV, "dhcpd": capi.IPAM_LEASES_DHCPD}
IMPORT_FORMAT = {"kea": capi.IPAM_DHCP_IMPORT_KEA, "dhcpd": capi.IPAM_DHCP_IMPORT_DHCPD}


class LeaseSync(NamedTuple):
    """What :meth:`ipam.DB.sync_leases` did: counts of addresses of status
    dhcp added, refreshed and released, leases skipped (their address has
    another status), DNS zones pushed, and the DNS pushes' report."""
    added: int
    updated: int
    released: int
    skipped: int
    zones_pushed: int
    report: str


class DhcpImport(NamedTuple):
    """What :meth:`ipam.DB.import_dhcp` adopted: how many scopes, and one
    line per thing of the config that libipam does not model (skipped)."""
    scopes: int
    notes: str


def _text(v: Any) -> Optional[str]:
    """None, or the str of a value (an ipaddress object, a str)."""
    return None if v is None else str(v)


def _list(v: Union[Sequence[Any], str, None]) -> Optional[str]:
    """A comma-separated list from a str or a sequence."""
    return v if v is None or isinstance(v, str) else ",".join(map(str, v))


def _range(r: Any) -> str:
    """A pool: "START-END", "START", or a (first, last) pair."""
    if isinstance(r, (tuple, list)):
        return "-".join(map(str, r))
    return str(r)


def scope_options(space: Optional[str], template: Optional[str], description: Optional[str],
                  shared_network: Optional[str], servers: Union[Sequence[str], str, None],
                  ha_primary: Optional[str], ha_standby: Optional[str], id: int, valid: int, renew: int,
                  rebind: int, preferred: int, fields: int = 0) -> tuple:
    return (space, template, description, shared_network, _list(servers), ha_primary, ha_standby, id, valid, renew,
            rebind, preferred, fields)


def option_target(scope: Optional[str], pool: Any, address: Any, template: Optional[str], family: int,
                  vendor: int) -> tuple:
    """The owner of an option from keywords: template=, scope= (with pool=
    or address=), or none of them: global for `family`."""
    if template is not None:
        if scope is not None or pool is not None or address is not None:
            raise TypeError("an option target is a template or a scope, not both")
        return (capi.IPAM_OPTION_TEMPLATE, family, vendor, template, None, None)
    if scope is None:
        if pool is not None or address is not None:
            raise TypeError("pool= and address= need scope=")
        return (capi.IPAM_OPTION_GLOBAL, family, vendor, None, None, None)
    if pool is not None and address is not None:
        raise TypeError("an option target is a pool or a reservation, not both")
    if pool is not None:
        return (capi.IPAM_OPTION_POOL, 0, vendor, scope, _range(pool), None)
    if address is not None:
        return (capi.IPAM_OPTION_RESERVATION, 0, vendor, scope, None, str(address))
    return (capi.IPAM_OPTION_SCOPE, 0, vendor, scope, None, None)


def option_value(value: Any) -> str:
    """An option's value: a str as it is, a bool as "true"/"false", a
    sequence joined with ", "."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def server_options(type: str, url: Optional[str], user: Optional[str], password: Optional[str],
                   write_dir: Optional[str], timeout: Optional[float], failover_address: Any,
                   failover_port: int) -> tuple:
    return (_choice(SERVER_TYPE, type, "DHCP server type"), url, user, password,
            None if write_dir is None else os.fspath(write_dir), _ms(timeout), _text(failover_address),
            failover_port)


def lease_options(path: Union[str, os.PathLike, None], format: str, server: Optional[str], space: Optional[str],
                  push_dns: Optional[str], dns_view: Optional[str]) -> tuple:
    flags = capi.IPAM_LEASE_SYNC_PUSH_DNS if push_dns is not None else 0
    return (space, None if path is None else os.fspath(path), _choice(LEASE_FORMAT, format, "lease format"), server,
            flags, push_dns, dns_view)


def import_args(config: Union[str, bytes, os.PathLike], format: str, file: Optional[str], space: Optional[str],
                server: Optional[str]) -> tuple:
    """(text, file name, options) for ipam_dhcp_import: a path goes as
    the file name with no text, and the C call reads it."""
    text: Union[str, bytes, None] = config  # type: ignore[assignment]
    if isinstance(config, os.PathLike):
        text, file = None, os.fspath(config)
    return text, file, (_choice(IMPORT_FORMAT, format, "DHCP import format"), space, server)
