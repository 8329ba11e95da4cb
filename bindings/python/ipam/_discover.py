"""Discovery (what is really on the network) and reconciliation (where it
disagrees with the records): include/ipam/discover.h, docs/discover.md.

Probes fill an :class:`Observations` set; :meth:`ipam.DB.reconcile`
compares a set with the records. Every probe (SNMP, sweeps, reverse DNS,
the clouds) runs with the GIL released."""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from typing import TYPE_CHECKING, Any, Iterable, Iterator, NamedTuple, Optional, Sequence, Union

from . import _capi as capi
from ._cancel import interruptible
from ._errors import Error, InvalidArgument, _from_c
from ._objects import IPAddress, IPNetwork

if TYPE_CHECKING:
    from ._db import DB

_KIND = {"address": capi.IPAM_OBS_ADDRESS, "subnet": capi.IPAM_OBS_SUBNET}
_KIND_NAME = {v: k for k, v in _KIND.items()}


def _ms(seconds: Optional[float]) -> int:
    return 0 if seconds is None else max(1, int(seconds * 1000))


def _now(now: Union[None, int, float]) -> int:
    return 0 if now is None else int(now)


class Observation(NamedTuple):
    """One thing seen: an address in use (``address``) or a subnet that
    exists (``subnet``), with the MAC and name seen with it, the probe
    (``source``: "snmp", "icmp", "tcp", "rdns", "aws", ...), where
    (``device``) and when (Unix seconds)."""
    source: str
    address: Optional[IPAddress] = None
    subnet: Optional[IPNetwork] = None
    space: str = "default"
    mac: Optional[str] = None
    name: Optional[str] = None
    device: Optional[str] = None
    first_seen: int = 0
    last_seen: int = 0

    @property
    def kind(self) -> str:
        """"address" or "subnet"."""
        return "subnet" if self.subnet is not None else "address"

    def _c(self) -> tuple:
        if (self.address is None) == (self.subnet is None):
            raise InvalidArgument("an observation has an address or a subnet (one of them)")
        t = int(time.time())
        first = self.first_seen or self.last_seen or t
        last = self.last_seen or first
        return (_KIND[self.kind], self.space, self.address, self.subnet, self.mac, self.name, self.source,
                self.device, first, last)

    @classmethod
    def _from_c(cls, row: tuple) -> Observation:
        kind, space, addr, subnet, mac, name, source, device, first, last = row
        return cls(source=source, address=addr, subnet=subnet, space=space or "default", mac=mac, name=name,
                   device=device, first_seen=first, last_seen=last)


class Observations:
    """A set of observations: one per space, kind, address (or subnet), MAC
    and source; adding one already there merges the times (and takes the
    later name and device). Sized, iterable and indexable in the order
    first added. One thread at a time."""

    __slots__ = ("_h",)

    def __init__(self, items: Iterable[Observation] = ()) -> None:
        self._h = capi.ipam_obs_set_new()
        for o in items:
            self.add(o)

    def add(self, obs: Optional[Observation] = None, /, **fields: Any) -> None:
        """Add an :class:`Observation`, or one made of keyword fields
        (``add(source="icmp", address="192.0.2.7")``). An address or subnet
        may be a str. first_seen and last_seen default to now."""
        if obs is None:
            for k in ("address", "subnet"):
                if isinstance(fields.get(k), str):
                    fields[k] = (ipaddress.ip_address if k == "address" else ipaddress.ip_network)(fields[k])
            obs = Observation(**fields)
        capi.ipam_obs_set_add(self._h, obs._c())

    def add_json(self, text: Union[str, bytes], where: Optional[str] = None) -> None:
        """Add the observations of a JSON array as :meth:`to_json` writes it;
        where names the text in messages."""
        capi.ipam_obs_set_add_json(self._h, text, where)

    def to_json(self) -> str:
        """The set as a JSON array (times as Unix seconds)."""
        return capi.ipam_obs_set_json(self._h)

    def __len__(self) -> int:
        return capi.ipam_obs_set_count(self._h)

    def __getitem__(self, index: int) -> Observation:
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("observation index out of range")
        return Observation._from_c(capi.ipam_obs_set_get(self._h, index))

    def __iter__(self) -> Iterator[Observation]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return f"<ipam.Observations {len(self)}>"


class Drift(NamedTuple):
    """One finding of a reconciliation. category: "unrecorded", "unseen",
    "mac-differs", "name-differs", "mac-conflict", "outside",
    "subnet-missing", "subnet-differs"; detail: a sentence for humans;
    applied: adopted into the records by this run."""
    category: str
    space: str
    address: Optional[IPAddress]
    subnet: Optional[IPNetwork]
    recorded_mac: Optional[str]
    seen_mac: Optional[str]
    recorded_name: Optional[str]
    seen_name: Optional[str]
    source: Optional[str]
    last_seen: int
    detail: str
    applied: bool


CATEGORIES = [capi.ipam_drift_name(i) for i in range(1, 9)]


class ReconcileReport:
    """The findings of :meth:`ipam.DB.reconcile`: a sequence of
    :class:`Drift`, with counts by category."""

    __slots__ = ("_h", "_items")

    def __init__(self, handle: Any) -> None:
        self._h = handle
        items = []
        i = 0
        while (row := capi.ipam_reconcile_report_item(handle, i)) is not None:
            cat, space, _kind, *rest = row
            items.append(Drift(cat, space, *rest))
            i += 1
        self._items = items

    def __len__(self) -> int:
        return capi.ipam_reconcile_report_count(self._h)

    def __getitem__(self, index: int) -> Drift:
        return self._items[index]

    def __iter__(self) -> Iterator[Drift]:
        return iter(self._items)

    def count(self, category: Optional[str] = None) -> int:
        """How many findings of a category (None: all)."""
        if category is None:
            return capi.ipam_reconcile_report_count_of(self._h, 0)
        if category not in CATEGORIES:
            raise InvalidArgument(f"unknown category {category!r}; one of {', '.join(CATEGORIES)}")
        return capi.ipam_reconcile_report_count_of(self._h, CATEGORIES.index(category) + 1)

    @property
    def counts(self) -> dict[str, int]:
        """{category: number} for every category."""
        return {c: self.count(c) for c in CATEGORIES}

    @property
    def applied(self) -> int:
        """How many unrecorded addresses this run adopted."""
        return sum(1 for d in self._items if d.applied)

    def to_json(self) -> str:
        """The report as the library's JSON."""
        return capi.ipam_reconcile_report_json(self._h)

    def __repr__(self) -> str:
        return f"<ipam.ReconcileReport {len(self)} findings>"


class SnmpTarget(NamedTuple):
    """An SNMP agent to ask: host ("192.0.2.1", "[2001:db8::1]:1161"),
    version 2 (community) or 3 (user, auth_pass: SHA, priv_pass: AES)."""
    host: str
    community: Optional[str] = None
    version: int = 2
    user: Optional[str] = None
    auth_pass: Optional[str] = None
    priv_pass: Optional[str] = None
    space: Optional[str] = None

    def _c(self) -> tuple:
        return (self.host, self.space, self.version, self.community, self.user, self.auth_pass, self.priv_pass)


def _probe(into: Optional[Observations], fn: Any, *args: Any) -> tuple[Observations, Any]:
    """Run the probe fn(set handle, *args) and return (the set, what fn
    returned), so that Ctrl-C stops it (see _cancel.interruptible): every
    probe (SNMP, the sweeps, the clouds) ends at once on its token, the
    observations gathered by then kept in the set."""
    obs = Observations() if into is None else into
    return obs, interruptible(fn, obs._h, *args)


def _cloud_dns(fn: Any, db: DB, cloud: tuple, space: Optional[str], view: Optional[str], zone: Optional[str],
               derive: bool, private: bool, dry_run: bool) -> dict[str, Any]:
    """A cloud DNS read (Ctrl-C stops it: see _cancel); its report as a dict."""
    return json.loads(interruptible(fn, db._h, cloud, (space, view, zone, derive, private, dry_run)))


def cloud_dns_aws(db: DB, *, access_key: str, secret_key: str, session_token: Optional[str] = None,
                  endpoint: Optional[str] = None, space: Optional[str] = None, view: Optional[str] = None,
                  zone: Optional[str] = None, derive: bool = False, private: bool = False, dry_run: bool = False,
                  timeout: Optional[float] = None, max_pages: int = 0,
                  now: Union[None, int, float] = None) -> dict[str, Any]:
    """Read an AWS account's Route 53 hosted zones into db's zones and hand
    records (zones made bound to space, in view; one zone only with zone;
    private hosted zones too with private). Returns the report: per zone the
    RRsets added, changed, unchanged, removed and skipped. dry_run: the same
    report, nothing written."""
    return _cloud_dns(capi.ipam_cloud_dns_aws, db,
                      (None, endpoint, access_key, secret_key, session_token, _ms(timeout), max_pages, _now(now)),
                      space, view, zone, derive, private, dry_run)


def cloud_dns_azure(db: DB, *, subscription: str, tenant: Optional[str] = None, client_id: Optional[str] = None,
                    client_secret: Optional[str] = None, access_token: Optional[str] = None,
                    login_endpoint: Optional[str] = None, arm_endpoint: Optional[str] = None,
                    space: Optional[str] = None, view: Optional[str] = None, zone: Optional[str] = None,
                    derive: bool = False, private: bool = False, dry_run: bool = False,
                    timeout: Optional[float] = None, max_pages: int = 0,
                    now: Union[None, int, float] = None) -> dict[str, Any]:
    """Read a subscription's Azure DNS zones as :func:`cloud_dns_aws` does."""
    return _cloud_dns(capi.ipam_cloud_dns_azure, db,
                      (subscription, tenant, client_id, client_secret, access_token, login_endpoint, arm_endpoint,
                       _ms(timeout), max_pages, _now(now)), space, view, zone, derive, private, dry_run)


def cloud_dns_gcp(db: DB, *, project: str, access_token: str, endpoint: Optional[str] = None,
                  space: Optional[str] = None, view: Optional[str] = None, zone: Optional[str] = None,
                  derive: bool = False, private: bool = False, dry_run: bool = False,
                  timeout: Optional[float] = None, max_pages: int = 0,
                  now: Union[None, int, float] = None) -> dict[str, Any]:
    """Read a project's Cloud DNS managed zones as :func:`cloud_dns_aws`
    does (endpoint: the Cloud DNS API)."""
    return _cloud_dns(capi.ipam_cloud_dns_gcp, db, (project, access_token, endpoint, _ms(timeout), max_pages, _now(now)),
                      space, view, zone, derive, private, dry_run)


def discover_snmp(targets: Sequence[Union[SnmpTarget, str]], *, into: Optional[Observations] = None,
                  timeout: Optional[float] = None, retries: int = 0, concurrency: int = 0, bulk_size: int = 0,
                  now: Union[None, int, float] = None) -> tuple[Observations, list[Optional[Error]]]:
    """Ask SNMP agents for their ARP/ND caches and own addresses. A str
    target is a host asked with community "public". Returns (observations,
    errors): one entry per target, None or the :class:`Error` of that
    agent; agents that answered fill the set whatever the others did."""
    tg = [(SnmpTarget(t, "public") if isinstance(t, str) else t)._c() for t in targets]
    obs, ((rc, message), codes) = _probe(into, capi.ipam_discover_snmp, tg,
                                         (_ms(timeout), retries, concurrency, bulk_size, _now(now)))
    errors: list[Optional[Error]] = []
    for c in codes:
        errors.append(None if c == 0 else _from_c(c, message if c == rc else capi.ipam_error_name(c)))
    return obs, errors


def sweep(prefix: Any, *, icmp: bool = False, tcp_ports: Sequence[int] = (), space: Optional[str] = None,
          rate: int = 0, concurrency: int = 0, timeout: Optional[float] = None, max_addresses: int = 0,
          now: Union[None, int, float] = None, into: Optional[Observations] = None) -> Observations:
    """ICMP echo and/or TCP connects to every address of a prefix; those
    that answer are observed ("icmp", "tcp"). :class:`PermissionDenied` when
    ICMP is asked for and the kernel allows no ping socket."""
    return _probe(into, capi.ipam_discover_sweep, prefix, (space, icmp, list(tcp_ports), rate, concurrency,
                                                           _ms(timeout), max_addresses, _now(now)))[0]


def discover_rdns(prefix: Any, server: str, *, port: int = 0, space: Optional[str] = None,
                  timeout: Optional[float] = None, rate: int = 0, max_addresses: int = 0,
                  now: Union[None, int, float] = None, into: Optional[Observations] = None) -> Observations:
    """Ask a resolver for the PTR of every address of a prefix; each name
    found is observed (source "rdns")."""
    return _probe(into, capi.ipam_discover_rdns, prefix,
                  (space, server, port, _ms(timeout), rate, max_addresses, _now(now)))[0]


def discover_aws(*, region: str, access_key: str, secret_key: str, session_token: Optional[str] = None,
                 endpoint: Optional[str] = None, db: Optional[DB] = None, timeout: Optional[float] = None,
                 max_pages: int = 0, now: Union[None, int, float] = None,
                 into: Optional[Observations] = None) -> Observations:
    """An AWS region's VPCs, subnets and network interfaces (EC2 Query
    API); each VPC is a space "aws/ACCOUNT/REGION/VPC-ID", created in db
    when given."""
    return _probe(into, capi.ipy_discover_aws, None if db is None else db._h,
                  (region, endpoint, access_key, secret_key, session_token, _ms(timeout), max_pages, _now(now)))[0]


def discover_azure(*, subscription: str, tenant: Optional[str] = None, client_id: Optional[str] = None,
                   client_secret: Optional[str] = None, access_token: Optional[str] = None,
                   login_endpoint: Optional[str] = None, arm_endpoint: Optional[str] = None,
                   db: Optional[DB] = None, timeout: Optional[float] = None, max_pages: int = 0,
                   now: Union[None, int, float] = None, into: Optional[Observations] = None) -> Observations:
    """An Azure subscription's virtual networks, subnets and NICs (client
    credentials, or a token given); each virtual network is a space."""
    return _probe(into, capi.ipy_discover_azure, None if db is None else db._h,
                  (subscription, tenant, client_id, client_secret, access_token, login_endpoint, arm_endpoint,
                   _ms(timeout), max_pages, _now(now)))[0]


def discover_gcp(*, project: str, access_token: str, endpoint: Optional[str] = None, db: Optional[DB] = None,
                 timeout: Optional[float] = None, max_pages: int = 0, now: Union[None, int, float] = None,
                 into: Optional[Observations] = None) -> Observations:
    """A Google Cloud project's VPC networks, subnetworks and instances;
    each network is a space "gcp/PROJECT/NETWORK"."""
    return _probe(into, capi.ipy_discover_gcp, None if db is None else db._h,
                  (project, access_token, endpoint, _ms(timeout), max_pages, _now(now)))[0]
