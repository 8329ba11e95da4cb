"""DNS: zones and records stored with the addresses, rendered for and pushed
to real servers (include/ipam/dns.h, docs/dns.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Sequence, Union

from . import _capi as capi
from ._cancel import interruptible
from ._errors import InvalidArgument

if TYPE_CHECKING:
    from ._db import DB

SERIAL_POLICY = {"date": capi.IPAM_SERIAL_DATE, "increment": capi.IPAM_SERIAL_INCREMENT}
SERVER_TYPE = {"rfc2136": capi.IPAM_DNS_RFC2136, "pdns-api": capi.IPAM_DNS_PDNS_API}


def _choice(table: dict, value: Any, what: str) -> int:
    try:
        return table[value]
    except (KeyError, TypeError):
        raise InvalidArgument(f"unknown {what} {value!r}; one of {', '.join(map(repr, table))}") from None


def _ms(seconds: Optional[float]) -> int:
    return 0 if seconds is None else max(1, int(seconds * 1000))


class ZoneRecord(NamedTuple):
    """One record of a zone: its presentation text and where it comes from
    ("hand", "address": derived from an address, "zone": the apex NS)."""
    record: str
    source: str


class PushResult(NamedTuple):
    """What :meth:`Zone.push` sent (or with dry_run, would send): the change
    in nsupdate syntax or as rrsets, then a summary line."""
    report: str
    dry_run: bool


class AdoptResult(NamedTuple):
    """What :meth:`Zone.adopt` took over from the server: one line per
    record ("adopted: ...", "skipped (the server's own): ..."), and how many
    were adopted."""
    report: str
    adopted: int


class DiffResult(NamedTuple):
    """What :meth:`Zone.diff` found: one line per RRset that differs
    ("only-server: ...", "only-ipam: ...", "different: ..."), and how many."""
    report: str
    drift: int


class Zone:
    """A stored zone: a snapshot of its settings and counts as read, with
    methods that act on the database it came from. ``zone.show()`` reads
    its records."""

    __slots__ = ("_db", "_info")

    def __init__(self, db: DB, info: dict[str, Any]) -> None:
        self._db = db
        self._info = info

    @property
    def name(self) -> str:
        """The origin, absolute ("example.com.")."""
        return self._info["zone"]

    @property
    def view(self) -> str:
        return self._info["view"]

    @property
    def space(self) -> str:
        """The space whose addresses give derived records."""
        return self._info["space"]

    @property
    def serial(self) -> int:
        return self._info["serial"]

    @property
    def ns(self) -> list[str]:
        """The apex name servers."""
        return list(self._info.get("ns", []))

    @property
    def info(self) -> dict[str, Any]:
        """Everything the library says of the zone (a fresh dict)."""
        return json.loads(json.dumps(self._info))

    def show(self) -> dict[str, Any]:
        """The zone's settings and every record (``"records"``: a list of
        :class:`ZoneRecord`), in canonical order."""
        out = json.loads(capi.ipam_zone_show(self._db._h, self.name, self.view))
        out["records"] = [ZoneRecord(r["record"], r["source"]) for r in out.get("records", [])]
        return out

    def records(self) -> list[ZoneRecord]:
        """Every record, hand, derived and apex, in canonical order."""
        return self.show()["records"]

    def add_record(self, record: str) -> None:
        """Add a hand record ("www 300 IN A 192.0.2.1", owner relative to
        the zone unless it ends in a dot). :class:`Exists` when it is there,
        :class:`InvalidArgument` naming the clash or the bad field."""
        capi.ipam_record_add(self._db._h, self.name, self.view, record)

    def remove_record(self, record: str) -> None:
        """Remove a hand record (any text that parses to it)."""
        capi.ipam_record_rm(self._db._h, self.name, self.view, record)

    def render(self) -> str:
        """The zone file (BIND, Knot, CoreDNS), byte-stable for the same
        content; may take and store the zone's next serial."""
        return capi.ipam_zone_render(self._db._h, self.name, self.view)

    def push(self, server: str, *, dry_run: bool = False) -> PushResult:
        """Push what changed since the last push to a stored server (the
        whole zone the first time). :class:`Conflict`: the zone was changed
        on the server from outside, nothing overwritten; :class:`AuthError`,
        :class:`IOFailure`, :class:`PermissionDenied` name server and zone.
        The GIL is released while it talks to the server."""
        flags = capi.IPAM_PUSH_DRY_RUN if dry_run else 0
        return PushResult(interruptible(capi.ipam_zone_push, self._db._h, self.name, self.view, server, flags), dry_run)

    def diff(self, server: str) -> DiffResult:
        """Compare the zone as the server holds it (AXFR or the API) with
        what the database holds."""
        return DiffResult(*interruptible(capi.ipam_zone_diff, self._db._h, self.name, self.view, server))

    def adopt(self, server: str) -> AdoptResult:
        """Take the records only the server has (:meth:`diff`'s
        "only-server") as hand records of the zone, all or none, in one
        transaction; DNSSEC records and the SOA stay the server's."""
        return AdoptResult(*interruptible(capi.ipam_zone_adopt, self._db._h, self.name, self.view, server))

    def file_name(self) -> str:
        """The zone's file name in :meth:`ipam.DB.dns_config`'s configuration."""
        return zone_file_name(self.name, self.view)

    def remove(self) -> None:
        """Remove the zone with its hand records and push states."""
        capi.ipam_zone_rm(self._db._h, self.name, self.view)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Zone) and self._info == other._info

    def __hash__(self) -> int:
        return hash((self.name, self.view))

    def __repr__(self) -> str:
        return f"<ipam.Zone {self.name} view={self.view} serial={self.serial}>"


def zone_options(view: Optional[str], ns: Sequence[str] | str | None, space: Optional[str], derive: bool,
                 mname: Optional[str], rname: Optional[str], ttl: int, refresh: int, retry: int, expire: int,
                 minimum: int, serial_policy: str, template: Optional[str], refuse_unknown_addresses: bool) -> tuple:
    ns_text = ns if ns is None or isinstance(ns, str) else ",".join(ns)
    return (view, space, not derive, ns_text, mname, rname, ttl, refresh, retry, expire, minimum,
            _choice(SERIAL_POLICY, serial_policy, "serial policy"), template, refuse_unknown_addresses)


def template_struct(ns: Sequence[str] | str | None, mname: Optional[str], rname: Optional[str], ttl: int,
                    refresh: int, retry: int, expire: int, minimum: int, records: Sequence[str]) -> tuple:
    ns_text = ns if ns is None or isinstance(ns, str) else ",".join(ns)
    return (ns_text, mname, rname, ttl, refresh, retry, expire, minimum, list(records))


def server_options(type: str, address: Optional[str], port: int, tsig_name: Optional[str],
                   tsig_algorithm: Optional[str], tsig_secret: Optional[str], api_url: Optional[str],
                   api_key: Optional[str], server_id: Optional[str], timeout: Optional[float]) -> tuple:
    return (_choice(SERVER_TYPE, type, "DNS server type"), address, port, tsig_name, tsig_algorithm, tsig_secret,
            api_url, api_key, server_id, _ms(timeout))


CONFIG_FORMAT = {"named": capi.IPAM_DNS_CONFIG_NAMED, "corefile": capi.IPAM_DNS_CONFIG_COREFILE}


def config_options(format: str, dir: Optional[str], update_key: Optional[str],
                   view_match: Union[dict[str, str], Sequence[str], None], view: Optional[str], port: int) -> tuple:
    words = None
    if isinstance(view_match, dict):
        words = [f"{k}={v}" for k, v in view_match.items()]
    elif view_match is not None:
        words = list(view_match)
    return (_choice(CONFIG_FORMAT, format, "DNS config format"), dir, update_key, words, view, port)


def zone_file_name(zone: str, view: Optional[str] = None) -> str:
    """The file name :meth:`ipam.DB.dns_config` gives a zone
    ("example.com.zone", "0_26.2.0.192.in-addr.arpa@inside.zone")."""
    return capi.ipam_zone_file_name(zone, view)


def render_rpz(origin: str, policies: str | bytes, *, file: Optional[str] = None, ttl: int = 0) -> str:
    """A response-policy zone from policy lines ("qname bad.example.com
    nxdomain", "response-ip 198.51.100.64/26 nxdomain", ...); file names the
    text in messages. :class:`InvalidArgument` names the line at fault."""
    return capi.ipam_rpz_render(origin, policies, file, ttl)
