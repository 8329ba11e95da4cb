"""The database handle: ipam.open() and ipam.DB."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, TypeVar, Union

from . import _capi as capi
from ._cancel import interruptible
from ._errors import InvalidArgument
from . import _dhcp, _dns, _import
from ._dhcp import DhcpImport, LeaseSync
from ._dns import PushResult
from ._discover import Observations, ReconcileReport
from ._dns import Zone
from ._objects import (PURPOSE, STATUS, Address, AuditEntry, AuditReport, IPAddress, IPNetwork, Prefix, Range, Space,
                       Stats, Utilization)

T = TypeVar("T")

_POLICY = {"first-fit": capi.IPAM_POLICY_FIRST_FIT, "best-fit": capi.IPAM_POLICY_BEST_FIT}
_FAMILY = {None: 0, 4: capi.IPAM_AF_INET, 6: capi.IPAM_AF_INET6}


def _enum(table: dict, value: Any, what: str) -> int:
    try:
        return table[value]
    except (KeyError, TypeError):
        choices = ", ".join(repr(k) for k in table)
        raise InvalidArgument(f"unknown {what} {value!r}; one of {choices}") from None


# "not given" for the update calls, where None means "clear it"
_KEEP: Any = object()


def _given(pairs: list) -> tuple:
    """The field mask of the keywords given, and their values (None for the others)."""
    fields, values = 0, []
    for bit, value in pairs:
        if value is _KEEP:
            values.append(None)
        else:
            fields |= bit
            values.append(value)
    if not fields:
        raise InvalidArgument("nothing to change: give at least one field")
    return fields, values


def _attrs(value: Optional[dict]) -> Optional[str]:
    return None if value is None else json.dumps(value)


def open(uri: Union[str, os.PathLike] = "memory:", *, key: Optional[str] = None,
         key_file: Union[str, os.PathLike, None] = None,
         create: bool = False, exclusive: bool = False, durable: bool = False, actor: Optional[str] = None,
         busy_timeout: Optional[float] = None, retries: Optional[int] = None,
         secret_key_file: Union[str, os.PathLike, None] = None) -> DB:
    """Open a database.

    uri: ``"file:PATH"`` or a path (one encrypted SQLCipher file), ``"memory:"``
    (rows in RAM, with the audit chain) or ``"index:"`` (the index alone, no
    store). A path-like object is a file.
    key: the passphrase of an encrypted file; key_file: a file holding a raw
    256-bit key (32 bytes or 64 hex digits).
    create: create the file if it does not exist (with exclusive: fail with
    :class:`Exists` if it does). durable: every commit reaches the disk
    before it returns. actor: who the audit chain records (default: the OS
    user). busy_timeout: seconds to wait for another process's write
    (default 10). retries: how often :meth:`DB.run` runs a transaction that
    lost a race (default 50). secret_key_file: a file holding the 256-bit
    key that seals stored secrets (TSIG keys, API keys); an encrypted file
    or ``memory:`` store without it keeps a key of its own.

    Use it as a context manager, or call :meth:`DB.close`.
    """
    target = "file:" + os.fspath(uri) if isinstance(uri, os.PathLike) else uri
    flags = ((capi.IPAM_OPEN_CREATE if create else 0) | (capi.IPAM_OPEN_EXCL if exclusive else 0)
             | (capi.IPAM_OPEN_DURABLE if durable else 0))
    timeout_ms = 0 if busy_timeout is None else max(1, int(busy_timeout * 1000))
    opts = (actor, flags, key, None if key_file is None else os.fspath(key_file), timeout_ms, retries or 0,
            None if secret_key_file is None else os.fspath(secret_key_file))
    return DB(capi.ipam_db_open(target, opts), target)


class DB:
    """An open libipam database (see :func:`ipam.open`).

    A DB may be shared between threads: the library serializes calls on one
    handle, and every call that reaches the store runs with the GIL
    released. A transaction belongs to the thread that began it; calls from
    other threads wait until it ends.
    """

    __slots__ = ("_h", "_uri", "__weakref__")

    def __init__(self, handle: Any, uri: str) -> None:
        self._h = handle
        self._uri = uri

    # ---- the handle ----------------------------------------------------

    @property
    def uri(self) -> str:
        return self._uri

    @property
    def closed(self) -> bool:
        return self._h is None

    def close(self) -> None:
        """Close the database. Later calls raise :class:`InvalidArgument`,
        and so do iterators still open. Calls in flight on other threads
        finish, and an open transaction can only roll back (committing it
        raises); the handle is freed when the last of them ends. Closing
        twice is harmless."""
        if self._h is None:
            return
        h, self._h = self._h, None
        capi.ipy_close(h)

    def __enter__(self) -> DB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ipam.DB {self._uri!r}{' closed' if self._h is None else ''}>"

    @property
    def revision(self) -> int:
        """The newest revision of the store this handle has caught up with."""
        return capi.ipam_db_revision(self._h)

    def stats(self) -> Stats:
        """Figures about the in-memory index."""
        return Stats(*capi.ipam_db_stats_get(self._h))

    def check(self) -> None:
        """Check the store and the index against it; raises
        :class:`BackendError` naming the first problem."""
        capi.ipam_db_check(self._h)

    def rekey(self, key: Optional[str] = None, key_file: Union[str, os.PathLike, None] = None) -> None:
        """Change the key of an encrypted file: a new passphrase or key file."""
        capi.ipam_db_rekey(self._h, key, None if key_file is None else os.fspath(key_file))

    # ---- transactions ----------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[DB]:
        """``with db.transaction():`` groups calls into one transaction:
        committed at the end of the block, rolled back if it raises. It does
        not retry: see :meth:`run`."""
        h = self._h
        capi.ipy_txn_begin(h)
        try:
            yield self
        except BaseException:
            capi.ipy_txn_end(h, False)
            raise
        capi.ipy_txn_end(h, True)

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(db, *args, **kwargs)`` in a transaction and commit it.
        When it loses a race with another writer (:class:`Conflict`, from a
        call inside it or from the commit) it is rolled back and run again
        after a short jittered pause; ``fn`` must therefore have no side
        effects outside the database. Returns what the last run of ``fn``
        returned; an exception from ``fn`` rolls back and propagates."""
        return capi.ipy_run_txn(self._h, lambda: fn(self, *args, **kwargs))

    # ---- spaces --------------------------------------------------------

    def add_space(self, name: str, labels: Optional[dict[str, str]] = None) -> Space:
        """Add a space; labels place it in its deployment context."""
        capi.ipam_space_add(self._h, name, _attrs(labels))
        return self.space(name)

    def space(self, name: str = "default") -> Space:
        """The space of that name (:class:`NotFound` if none)."""
        return Space(self, capi.ipam_space_get(self._h, name))

    def remove_space(self, name: str) -> None:
        """Remove an empty space (:class:`InUse` if it holds anything)."""
        capi.ipam_space_rm(self._h, name)

    def spaces(self) -> Iterator[Space]:
        """Every space, in name order."""
        it = capi.ipam_space_iter_new(self._h)
        return self._rows(it, capi.ipam_space_iter_next, Space)

    def _rows(self, it: Any, next_: Callable, make: Callable) -> Iterator[Any]:
        # The C iterator is made eagerly (so that a bad query raises at the
        # call) and freed with the generator.
        while (row := next_(it)) is not None:
            yield make(self, row)

    # ---- prefixes --------------------------------------------------------

    def add_prefix(self, prefix: Any, *, space: Optional[str] = None, status: str = "active", pool: bool = False,
                   exclusive: bool = False, description: Optional[str] = None,
                   attrs: Optional[dict[str, Any]] = None) -> Prefix:
        """Add a prefix (``"10.0.0.0/8"`` or an ipaddress network). status:
        "active", "container", "reserved" or "deprecated". pool: every
        address is usable. exclusive: refuse it (:class:`Exists`) when any
        prefix of the space overlaps it."""
        opts = (space, _enum(STATUS, status, "status"), pool, description, _attrs(attrs), exclusive)
        capi.ipam_prefix_add(self._h, prefix, opts)
        return self.prefix(prefix, space=space)

    def update_prefix(self, prefix: Any, *, space: Optional[str] = None, status: Any = _KEEP, pool: Any = _KEEP,
                      description: Any = _KEEP, attrs: Any = _KEEP) -> Prefix:
        """Change a prefix in place: the keywords given change (None clears a
        description or the attributes), the others stay; its id, creation
        time and what lies inside it stay."""
        fields, (st, pl, desc, at) = _given([
            (capi.IPAM_PREFIX_SET_STATUS, status), (capi.IPAM_PREFIX_SET_POOL, pool),
            (capi.IPAM_PREFIX_SET_DESCRIPTION, description), (capi.IPAM_PREFIX_SET_ATTRS, attrs)])
        opts = (space, _enum(STATUS, st or "active", "status"), bool(pl), desc, _attrs(at), False)
        capi.ipam_prefix_update(self._h, prefix, fields, opts)
        return self.prefix(prefix, space=space)

    def prefix(self, prefix: Any, *, space: Optional[str] = None) -> Prefix:
        """The prefix, looked up exactly (:class:`NotFound` if none)."""
        return Prefix(self, capi.ipam_prefix_get(self._h, space, prefix))

    def remove_prefix(self, prefix: Any, *, space: Optional[str] = None) -> None:
        """Remove a prefix; what lies inside it stays."""
        capi.ipam_prefix_rm(self._h, space, prefix)

    def match(self, target: Any, *, space: Optional[str] = None) -> IPNetwork:
        """Longest-prefix match: the most specific prefix that covers an
        address or a prefix (:class:`NotFound` if none)."""
        return capi.ipam_prefix_match(self._h, space, target)

    def alloc_prefix(self, parent: Any, length: int, *, space: Optional[str] = None, policy: str = "first-fit",
                     status: str = "active", pool: bool = False, description: Optional[str] = None,
                     attrs: Optional[dict[str, Any]] = None) -> Prefix:
        """Allocate a free block of /length inside the prefix parent, add it
        and return it (so that ``subnet.alloc_address()`` follows). policy:
        "first-fit" (the lowest block) or "best-fit" (carve the smallest
        free block that fits). :class:`Exhausted` when none is free."""
        opts = (space, length, _enum(_POLICY, policy, "policy"), _enum(STATUS, status, "status"), pool, description,
                _attrs(attrs))
        return self.prefix(capi.ipam_prefix_alloc(self._h, parent, opts), space=space)

    def prefixes(self, *, space: Optional[str] = None, within: Any = None, covering: Any = None,
                 family: Optional[int] = None) -> Iterator[Prefix]:
        """Prefixes in order (IPv4 first, then address, a parent before its
        children): all of them, those within a prefix (itself included), or
        those covering an address or prefix (least specific first). family:
        4 or 6 to list one family only."""
        if within is not None and covering is not None:
            raise InvalidArgument("prefixes(): give within or covering, not both")
        if within is not None:
            q = (space, capi.IPAM_WALK_WITHIN, within, 0)
        elif covering is not None:
            q = (space, capi.IPAM_WALK_COVERING, covering, 0)
        else:
            q = (space, capi.IPAM_WALK_ALL, None, _enum(_FAMILY, family, "family"))
        it = capi.ipam_prefix_iter_new(self._h, q)
        return self._rows(it, capi.ipam_prefix_iter_next, Prefix)

    def utilization(self, cidr: Any, *, space: Optional[str] = None) -> Utilization:
        """How much of any CIDR of the space is used (by prefixes strictly
        inside it, addresses and ranges), without a scan."""
        return Utilization(*capi.ipam_prefix_util(self._h, space, cidr))

    # ---- addresses -------------------------------------------------------

    @staticmethod
    def _ip_opts(space: Optional[str], hostname: Optional[str], mac: Optional[str], description: Optional[str],
                 status: str, attrs: Optional[dict[str, Any]]) -> Optional[tuple]:
        if space is None and hostname is None and mac is None and description is None and status == "active" \
                and attrs is None:
            return None
        return (space, hostname, mac, description, _enum(STATUS, status, "status"), _attrs(attrs))

    def alloc_address(self, within: Any, *, space: Optional[str] = None, hostname: Optional[str] = None,
                      mac: Optional[str] = None, description: Optional[str] = None, status: str = "active",
                      attrs: Optional[dict[str, Any]] = None) -> IPAddress:
        """Allocate the lowest free address of the prefix within (never a
        taken address, one inside a range, an IPv4 network or broadcast
        address, or the IPv6 subnet-router anycast) and record it.
        :class:`Exhausted` when none is left."""
        opts = self._ip_opts(space, hostname, mac, description, status, attrs)
        return capi.ipam_ip_alloc(self._h, within, opts)

    def add_address(self, address: Any, *, space: Optional[str] = None, hostname: Optional[str] = None,
                    mac: Optional[str] = None, description: Optional[str] = None, status: str = "active",
                    attrs: Optional[dict[str, Any]] = None) -> Address:
        """Record a given address (:class:`Exists` if the space has it)."""
        opts = self._ip_opts(space, hostname, mac, description, status, attrs)
        capi.ipam_ip_add(self._h, address, opts)
        return self.address(address, space=space)

    def update_address(self, address: Any, *, space: Optional[str] = None, hostname: Any = _KEEP, mac: Any = _KEEP,
                       description: Any = _KEEP, status: Any = _KEEP, attrs: Any = _KEEP) -> Address:
        """Change a recorded address in place: the keywords given change (None
        clears), the others stay; its id and creation time stay, and its DNS
        records follow a new host name."""
        fields, (hn, mc, desc, st, at) = _given([
            (capi.IPAM_IP_SET_HOSTNAME, hostname), (capi.IPAM_IP_SET_MAC, mac),
            (capi.IPAM_IP_SET_DESCRIPTION, description), (capi.IPAM_IP_SET_STATUS, status),
            (capi.IPAM_IP_SET_ATTRS, attrs)])
        opts = (space, hn, mc, desc, _enum(STATUS, st or "active", "status"), _attrs(at))
        capi.ipam_ip_update(self._h, address, fields, opts)
        return self.address(address, space=space)

    def address(self, address: Any, *, space: Optional[str] = None) -> Address:
        """The address (:class:`NotFound` if the space does not have it)."""
        return Address(self, capi.ipam_ip_get(self._h, space, address))

    def release_address(self, address: Any, *, space: Optional[str] = None) -> None:
        """Release (remove) an address."""
        capi.ipam_ip_release(self._h, space, address)

    def addresses(self, *, space: Optional[str] = None, within: Any = None) -> Iterator[Address]:
        """The addresses of a space, or of a prefix of it, in order."""
        it = capi.ipam_ip_iter_new(self._h, (space, within))
        return self._rows(it, capi.ipam_ip_iter_next, Address)

    # ---- ranges ----------------------------------------------------------

    def add_range(self, first: Any, last: Any, *, space: Optional[str] = None, purpose: str = "dhcp",
                  description: Optional[str] = None, attrs: Optional[dict[str, Any]] = None) -> Range:
        """Add a range first..last: purpose "dhcp", "reserved" or "excluded".
        The allocator never hands out an address inside a range."""
        opts = (space, _enum(PURPOSE, purpose, "purpose"), description, _attrs(attrs))
        capi.ipam_range_add(self._h, first, last, opts)
        return self.range(first, last, space=space)

    def range(self, first: Any, last: Any = None, *, space: Optional[str] = None) -> Range:
        """The range first..last; without last, the innermost range that
        holds first (an excluded span inside a pool, not the pool)."""
        return Range(self, capi.ipam_range_get(self._h, space, first, last))

    def remove_range(self, first: Any, last: Any, *, space: Optional[str] = None) -> None:
        """Remove the range with these bounds."""
        capi.ipam_range_rm(self._h, space, first, last)

    def ranges(self, *, space: Optional[str] = None, within: Any = None) -> Iterator[Range]:
        """The ranges of a space (those overlapping a prefix, with within),
        ordered by first then last."""
        it = capi.ipam_range_iter_new(self._h, (space, within))
        return self._rows(it, capi.ipam_range_iter_next, Range)

    # ---- audit, export, import ---------------------------------------------

    def audit(self, from_seq: int = 1) -> Iterator[AuditEntry]:
        """The audit entries with seq >= from_seq, oldest first
        (:class:`PermissionDenied` on ``index:``)."""
        it = capi.ipam_audit_iter_new(self._h, from_seq)
        return self._rows(it, capi.ipam_audit_iter_next, lambda db, row: AuditEntry(*row))

    def verify_audit(self, public_key: Optional[bytes] = None) -> AuditReport:
        """Verify the audit chain (and with an Ed25519 public key, its
        signed checkpoints). :class:`TamperError` names the first bad entry."""
        return AuditReport(*capi.ipam_audit_verify(self._h, public_key))

    def sign_audit(self, secret_key: bytes) -> int:
        """Sign the chain's head with an Ed25519 secret key (libsodium's
        64-byte form); returns the seq signed."""
        return capi.ipam_audit_sign(self._h, secret_key)

    def export(self) -> str:
        """Everything in the store, history included, as one canonical JSON
        document (:class:`PermissionDenied` on ``index:``)."""
        return capi.ipam_export(self._h)

    def import_json(self, document: Union[str, bytes], name: Optional[str] = None) -> None:
        """Import a document made by :meth:`export` into an empty store, all
        or nothing. name: what messages call the document."""
        capi.ipam_import_json(self._h, document, name)

    def export_csv(self, kind: str) -> str:
        """The store as CSV another system's bulk import takes, and this
        library's importer reads back: kind "netbox-vrfs",
        "netbox-prefixes", "netbox-ranges", "netbox-addresses" or
        "infoblox"."""
        return capi.ipam_export_csv(self._h, _import.csv_kind(kind))

    def import_files(self, format: str, files: Iterable[Union[str, os.PathLike]], *, space: Optional[str] = None,
                     space_map: Optional[dict[str, str]] = None, dry_run: bool = False,
                     all_or_nothing: bool = False) -> dict[str, Any]:
        """Import another system's export (format "netbox-csv",
        "netbox-json", "infoblox", "phpipam-sql"; see :class:`ipam.Import`)
        and return the report. Bad rows are reported and skipped."""
        return _import.import_files(self, format, files, space=space, space_map=space_map, dry_run=dry_run,
                                    all_or_nothing=all_or_nothing)

    # ---- DNS -------------------------------------------------------------

    def add_zone(self, name: str, *, ns: Union[Sequence[str], str, None] = None, view: Optional[str] = None,
                 space: Optional[str] = None, derive: bool = True, mname: Optional[str] = None,
                 rname: Optional[str] = None, ttl: int = 0, refresh: int = 0, retry: int = 0, expire: int = 0,
                 minimum: int = 0, serial_policy: str = "date", template: Optional[str] = None,
                 refuse_unknown_addresses: bool = False) -> Zone:
        """Add a zone ("example.com", "2.0.192.in-addr.arpa"). ns: the apex
        name servers (absolute names; required unless the template gives
        them). derive: the A, AAAA and PTR records of the space's named
        addresses are part of it. serial_policy: "date" or "increment".
        :class:`Exists` when the view has it."""
        opts = _dns.zone_options(view, ns, space, derive, mname, rname, ttl, refresh, retry, expire, minimum,
                                 serial_policy, template, refuse_unknown_addresses)
        capi.ipam_zone_add(self._h, name, opts)
        return self.zone(name, view=view)

    def zone(self, name: str, *, view: Optional[str] = None) -> Zone:
        """The zone (:class:`NotFound` if the view has none of that name)."""
        origin = json.loads(capi.ipam_zone_show(self._h, name, view))["zone"]
        for z in self.zones():
            if z.name == origin and z.view == (view or "default"):
                return z
        raise AssertionError("a zone shown is not listed")  # pragma: no cover

    def zones(self) -> Iterator[Zone]:
        """Every zone, in (view, name) order."""
        return iter([Zone(self, z) for z in json.loads(capi.ipam_zone_list(self._h))])

    def remove_zone(self, name: str, *, view: Optional[str] = None) -> None:
        """Remove a zone with its hand records and push states."""
        capi.ipam_zone_rm(self._h, name, view)

    def put_record(self, record: str, *, view: Optional[str] = None) -> bool:
        """Add a hand record (owner absolute) to the most specific zone of
        the view that holds it; True when added, False when it was there.
        :class:`NotFound` when no zone holds the owner."""
        return capi.ipam_record_put(self._h, view, record)

    def set_zone_template(self, name: str, *, ns: Union[Sequence[str], str, None] = None,
                          mname: Optional[str] = None, rname: Optional[str] = None, ttl: int = 0, refresh: int = 0,
                          retry: int = 0, expire: int = 0, minimum: int = 0, records: Sequence[str] = ()) -> None:
        """Create or replace a zone template: settings and standard records
        ("@ MX 10 mail.example.net.") that zones made with template=name
        take where they do not set them themselves."""
        capi.ipam_zone_template_set(self._h, name,
                                    _dns.template_struct(ns, mname, rname, ttl, refresh, retry, expire, minimum,
                                                         records))

    def remove_zone_template(self, name: str) -> None:
        """Remove a zone template (:class:`InUse` while a zone uses it)."""
        capi.ipam_zone_template_rm(self._h, name)

    def address_dns(self, address: Any, *, space: Optional[str] = None) -> dict[str, Any]:
        """The DNS records an address has, and why it has none where it has
        none: {"address", "space", "records": [...], "notes": [...]}."""
        return json.loads(capi.ipam_ip_dns(self._h, space, address))

    def add_dns_server(self, name: str, *, type: str = "rfc2136", address: Optional[str] = None, port: int = 0,
                       tsig_name: Optional[str] = None, tsig_algorithm: Optional[str] = None,
                       tsig_secret: Optional[str] = None, api_url: Optional[str] = None,
                       api_key: Optional[str] = None, server_id: Optional[str] = None,
                       timeout: Optional[float] = None, replace: bool = False) -> None:
        """Store a DNS server to push to: type "rfc2136" (address, port,
        TSIG key) or "pdns-api" (api_url, api_key). Secrets are sealed
        before they are stored (:class:`PermissionDenied` without a sealing
        key) and never shown again."""
        opts = _dns.server_options(type, address, port, tsig_name, tsig_algorithm, tsig_secret, api_url, api_key,
                                   server_id, timeout)
        capi.ipam_dns_server_add(self._h, name, opts, replace)

    def dns_config(self, format: str = "named", *, dir: Optional[str] = None, update_key: Optional[str] = None,
                   view_match: Union[dict[str, str], Sequence[str], None] = None, view: Optional[str] = None,
                   port: int = 0) -> str:
        """The server configuration for every stored zone: format "named"
        (zone stanzas, in view blocks when views are used; view_match gives
        each view's match-clients list, in the order named should try them:
        {"inside": "10.0.0.0/8, key:k1"}) or "corefile" (CoreDNS, the zones
        of one view). dir: where the zone files are, as the server sees it;
        each file is named :func:`ipam.zone_file_name`."""
        return capi.ipam_dns_config(self._h, _dns.config_options(format, dir, update_key, view_match, view, port))

    def remove_dns_server(self, name: str) -> None:
        """Remove a DNS server and what it was last pushed."""
        capi.ipam_dns_server_rm(self._h, name)

    def dns_servers(self) -> list[dict[str, Any]]:
        """The DNS servers, secrets shown as "(sealed)"."""
        return json.loads(capi.ipam_dns_server_list(self._h))

    def add_rpz_policy(self, zone: str, policy: str, *, replace: bool = False) -> None:
        """Store a response policy in the policy zone (made by its first
        policy), in the policy file's form: "qname bad.example.com nxdomain",
        "client-ip 10.9.0.0/16 drop", "qname moved.example.com local A
        192.0.2.80". :class:`Exists` when the trigger has one and not replace."""
        capi.ipam_rpz_add(self._h, zone, policy, 1 if replace else 0)

    def remove_rpz_policy(self, zone: str, trigger: str) -> None:
        """Remove the policy of a trigger ("qname bad.example.com"); the
        policy zone goes with its last policy."""
        capi.ipam_rpz_rm(self._h, zone, trigger)

    def rpz_policies(self, zone: Optional[str] = None) -> list[dict[str, str]]:
        """The stored policies ({"zone", "trigger", "policy"}) of one policy
        zone, or of all."""
        return json.loads(capi.ipam_rpz_list(self._h, zone))

    def render_rpz_zone(self, zone: str, *, ttl: int = 0) -> str:
        """The policy zone of the stored policies (ttl 0: 60)."""
        return capi.ipam_rpz_zone_render(self._h, zone, ttl)

    def add_credential(self, name: str, type: str, secret: str, *, id: Optional[str] = None,
                       tenant: Optional[str] = None, secret2: Optional[str] = None, replace: bool = False) -> None:
        """Store a credential for the probes, its secrets sealed at once: type
        "aws" (id: the access key id, secret2: a session token), "azure" (id:
        the client id, tenant), "gcp" (secret: an access token) or "snmpv3"
        (id: the user, secret/secret2: the auth and priv pass phrases)."""
        capi.ipam_credential_add(self._h, name, (type, id, tenant, secret, secret2), 1 if replace else 0)

    def remove_credential(self, name: str) -> None:
        """Remove a credential."""
        capi.ipam_credential_rm(self._h, name)

    def credentials(self) -> list[dict[str, Any]]:
        """The credentials ({"name", "type", "id", "tenant"}), no secret."""
        return json.loads(capi.ipam_credential_list(self._h))

    def credential(self, name: str) -> dict[str, Optional[str]]:
        """A credential with its secrets unsealed, for a probe: {"type",
        "id", "tenant", "secret", "secret2"}. The C copy is wiped at once;
        Python strings cannot be, so keep the dict no longer than needed."""
        keys = ("type", "id", "tenant", "secret", "secret2")
        return dict(zip(keys, capi.ipy_credential_get(self._h, name)))

    # ---- DHCP ------------------------------------------------------------

    def add_scope(self, name: str, prefix: Any, *, space: Optional[str] = None, template: Optional[str] = None,
                  description: Optional[str] = None, shared_network: Optional[str] = None,
                  servers: Union[Sequence[str], str, None] = None, ha_primary: Optional[str] = None,
                  ha_standby: Optional[str] = None, id: int = 0, valid: int = 0, renew: int = 0, rebind: int = 0,
                  preferred: int = 0) -> dict[str, Any]:
        """Add a DHCP scope on a prefix of a space ("192.0.2.0/24") and
        return it as :meth:`scope` shows it. Names are unique across spaces;
        id: the Kea subnet id (0: the next free one); lease times in seconds
        (0: inherited)."""
        capi.ipam_scope_add(self._h, name, str(prefix),
                            _dhcp.scope_options(space, template, description, shared_network, servers, ha_primary,
                                                ha_standby, id, valid, renew, rebind, preferred))
        return self.scope(name)

    def set_scope(self, name: str, *, template: Optional[str] = None, description: Optional[str] = None,
                  shared_network: Optional[str] = None, servers: Union[Sequence[str], str, None] = None,
                  ha_primary: Optional[str] = None, ha_standby: Optional[str] = None, valid: Optional[int] = None,
                  renew: Optional[int] = None, rebind: Optional[int] = None,
                  preferred: Optional[int] = None) -> None:
        """Change the settings given and keep the others ("", [] or 0
        clears one; ha_primary and ha_standby are a pair). Pools,
        reservations and options stay."""
        given = {"template": template, "description": description, "shared_network": shared_network,
                 "servers": servers, "ha": ha_primary if ha_standby is None else ha_standby, "valid": valid,
                 "renew": renew, "rebind": rebind, "preferred": preferred}
        fields = 0
        for key, value in given.items():
            if value is not None:
                fields |= getattr(capi, "IPAM_SCOPE_SET_" + key.upper())
        if not fields:
            self.scope(name)  # nothing to change; NotFound for no such scope
            return
        capi.ipam_scope_set(self._h, name,
                            _dhcp.scope_options(None, template, description, shared_network, servers, ha_primary,
                                                ha_standby, 0, valid or 0, renew or 0, rebind or 0, preferred or 0,
                                                fields))

    def remove_scope(self, name: str, *, leases: bool = False) -> None:
        """Remove a scope with its pools and reservations; leases=True also
        releases its addresses of status dhcp."""
        capi.ipam_scope_rm(self._h, name, capi.IPAM_SCOPE_RM_LEASES if leases else 0)

    def scopes(self) -> list[dict[str, Any]]:
        """The scopes in name order: {"name", "space", "prefix", "id",
        "template", "servers", "pools", "reservations"} (counts)."""
        return json.loads(capi.ipam_scope_list(self._h))

    def scope(self, name: str) -> dict[str, Any]:
        """One scope: settings, pools, reservations, own options, and
        "effective_options" (after inheritance)."""
        return json.loads(capi.ipam_scope_show(self._h, name))

    def add_pool(self, scope: str, range: Any, *, exclude: Union[Sequence[Any], str, None] = None) -> None:
        """Add a pool "START-END" (or a (first, last) pair) to a scope,
        leaving out exclude ("ADDR" or "START-END" items)."""
        capi.ipam_pool_add(self._h, scope, _dhcp._range(range),
                           None if exclude is None else _dhcp._list([_dhcp._range(x) for x in exclude]
                                                                    if not isinstance(exclude, str) else exclude))

    def remove_pool(self, scope: str, range: Any) -> None:
        """Remove the pool that starts at range's start."""
        capi.ipam_pool_rm(self._h, scope, _dhcp._range(range))

    def add_reservation(self, scope: str, address: Any, ident: str, *, hostname: Optional[str] = None) -> None:
        """Reserve an address of the scope for one client: ident
        "mac:aa:bb:..", "client-id:01..", "duid:00..", "circuit-id:TEXT" or
        a bare MAC. :class:`InUse` when the address is in use."""
        capi.ipam_reservation_add(self._h, scope, str(address), ident, hostname)

    def remove_reservation(self, scope: str, address: Any) -> None:
        """Remove a reservation and its address."""
        capi.ipam_reservation_rm(self._h, scope, str(address))

    def reservations(self, scope: str) -> list[dict[str, Any]]:
        """A scope's reservations: {"address", "mac" | "client_id" | "duid"
        | "circuit_id", "hostname", "options"}."""
        return json.loads(capi.ipam_reservation_list(self._h, scope))

    def set_option(self, option: Union[str, int], value: Any, *, scope: Optional[str] = None, pool: Any = None,
                   address: Any = None, template: Optional[str] = None, family: int = 4, vendor: int = 0) -> None:
        """Set a DHCP option by Kea name or code, checked against its type
        (:class:`InvalidArgument` names owner, option and value). The owner:
        template=, scope= (with pool= or address= for a pool or a
        reservation), or none: global for family (4 or 6)."""
        capi.ipam_option_set(self._h, _dhcp.option_target(scope, pool, address, template, family, vendor),
                             str(option), _dhcp.option_value(value))

    def remove_option(self, option: Union[str, int], *, scope: Optional[str] = None, pool: Any = None,
                      address: Any = None, template: Optional[str] = None, family: int = 4, vendor: int = 0) -> None:
        """Remove an option from its owner (as :meth:`set_option`)."""
        capi.ipam_option_rm(self._h, _dhcp.option_target(scope, pool, address, template, family, vendor), str(option))

    def options(self, *, scope: Optional[str] = None, pool: Any = None, address: Any = None,
                template: Optional[str] = None, family: int = 4, vendor: int = 0) -> list[dict[str, Any]]:
        """The options set at one owner: {"name", "code", "family",
        "vendor", "value"}."""
        return json.loads(capi.ipam_option_list(self._h,
                                                _dhcp.option_target(scope, pool, address, template, family, vendor)))

    def define_option(self, name: str, code: int, type: str, *, family: int = 4, vendor: int = 0) -> None:
        """Define a custom (vendor 0) or vendor option so that it can be set:
        type "ip", "ip[]", "string", "uint8", "uint16", "uint32", "bool",
        "fqdn", "fqdn[]" or "binary"."""
        capi.ipam_option_define(self._h, family, vendor, code, name, type)

    def add_option_template(self, name: str) -> None:
        """Create an empty option template (scopes take it with template=)."""
        capi.ipam_option_template_add(self._h, name)

    def remove_option_template(self, name: str) -> None:
        """Remove an option template (:class:`InUse` while a scope uses it)."""
        capi.ipam_option_template_rm(self._h, name)

    def option_templates(self) -> list[dict[str, Any]]:
        """The option templates: {"name", "options", "scopes"}."""
        return json.loads(capi.ipam_option_template_list(self._h))

    def add_dhcp_server(self, name: str, *, type: str = "kea", url: Optional[str] = None, user: Optional[str] = None,
                        password: Optional[str] = None, write_dir: Union[str, os.PathLike, None] = None,
                        timeout: Optional[float] = None, failover_address: Any = None, failover_port: int = 0,
                        replace: bool = False) -> None:
        """Store a DHCP server: type "kea" (its control agent's url, basic
        auth user and password, write_dir where config-write writes) or
        "dhcpd" (rendered only; failover_address/port for ISC failover).
        The password is sealed (:class:`PermissionDenied` without a sealing
        key) and never shown again."""
        capi.ipam_dhcp_server_add(self._h, name,
                                  _dhcp.server_options(type, url, user, password, write_dir, timeout,
                                                       failover_address, failover_port), replace)

    def remove_dhcp_server(self, name: str) -> None:
        """Remove a DHCP server (:class:`InUse` while a scope names it)."""
        capi.ipam_dhcp_server_rm(self._h, name)

    def dhcp_servers(self) -> list[dict[str, Any]]:
        """The DHCP servers, passwords shown as "(sealed)", with what was
        last pushed to each ("pushed")."""
        return json.loads(capi.ipam_dhcp_server_list(self._h))

    def render_dhcp(self, format: str = "kea4", *, server: Optional[str] = None, base: Optional[str] = None) -> str:
        """The config of a server (None: every scope of the family): format
        "kea4", "kea6" (merged into base, a whole Kea config) or "dhcpd"."""
        return capi.ipam_dhcp_render(self._h, _dhcp._choice(_dhcp.RENDER_FORMAT, format, "DHCP format"), server, base)

    def push_dhcp(self, server: str, *, dry_run: bool = False) -> PushResult:
        """Push to a Kea server through its control agent (config-test,
        config-set, config-write per family); dry_run: the diff, nothing
        sent. A config Kea refuses leaves the running one
        (:class:`InvalidArgument` with Kea's text); :class:`IOFailure`,
        :class:`AuthError`. The GIL is released meanwhile."""
        flags = capi.IPAM_DHCP_PUSH_DRY_RUN if dry_run else 0
        return PushResult(interruptible(capi.ipam_dhcp_push, self._h, server, flags), dry_run)

    def sync_leases(self, path: Union[str, os.PathLike, None] = None, *, format: str = "kea-csv",
                    server: Optional[str] = None, space: Optional[str] = None, push_dns: Optional[str] = None,
                    dns_view: Optional[str] = None) -> LeaseSync:
        """Sync leases into the store in one transaction, from a lease file
        (format "kea-csv" or "dhcpd") or a Kea server (server=): active
        leases become addresses of status dhcp, gone ones are released.
        push_dns: push the DNS zones the changes touch to that DNS server.
        The GIL is released meanwhile."""
        opts = _dhcp.lease_options(path, format, server, space, push_dns, dns_view)
        return LeaseSync(*interruptible(capi.ipam_lease_sync, self._h, opts))

    def import_dhcp(self, config: Union[str, bytes, os.PathLike], *, format: str = "kea",
                    file: Optional[str] = None, space: Optional[str] = None,
                    server: Optional[str] = None) -> DhcpImport:
        """Adopt a running server's config (format "kea" or "dhcpd"; a text,
        or a path to read), all or nothing: scopes, pools, reservations,
        options. file names the text in messages; server: a stored DHCP
        server that serves every scope imported."""
        text, name, opts = _dhcp.import_args(config, format, file, space, server)
        return DhcpImport(*capi.ipam_dhcp_import(self._h, text, name, opts))

    # ---- discovery ---------------------------------------------------------

    def save_observations(self, observations: Observations) -> None:
        """Keep observations in the store, merged with those kept before."""
        capi.ipam_obs_save(self._h, observations._h)

    def observations(self, *, space: Optional[str] = None, since: int = 0) -> Observations:
        """The stored observations (of one space; last seen at or after
        since, Unix seconds)."""
        obs = Observations()
        capi.ipam_obs_load(obs._h, self._h, space, since)
        return obs

    def reconcile(self, observations: Observations, *, space: Optional[str] = None, since: int = 0,
                  now: Optional[int] = None, unseen_days: int = 0, apply: bool = False) -> ReconcileReport:
        """Compare observations with the records. apply: adopt the
        unrecorded addresses (status active, attrs {"source": "discovery"});
        nothing is ever deleted."""
        flags = capi.IPAM_RECONCILE_APPLY if apply else 0
        return ReconcileReport(capi.ipam_reconcile(self._h, observations._h,
                                                   (space, since, now or 0, unseen_days, flags)))
