"""Spaces, prefixes, addresses, ranges and the other records of libipam as
Python objects: snapshots of what the database held when they were read,
with read-only properties and a few methods that act on the database they
came from."""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple, Optional, Union

from . import _capi as capi

if TYPE_CHECKING:
    from ._db import DB

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

# Names of the C enums, read from the library itself.
def _names(fn: Any) -> dict[str, int]:
    out = {}
    for i in range(16):
        name = fn(i)
        if name is not None:
            out[name] = i
    return out


STATUS = _names(capi.ipam_status_name)
STATUS_NAME = {v: k for k, v in STATUS.items()}
PURPOSE = _names(capi.ipam_range_purpose_name)
PURPOSE_NAME = {v: k for k, v in PURPOSE.items()}


def _json(text: Optional[str]) -> dict[str, Any]:
    return json.loads(text) if text else {}


class Space:
    """A space (VRF, network view): where addresses are unique."""

    __slots__ = ("_db", "_name", "_labels")

    def __init__(self, db: DB, row: tuple) -> None:
        self._db = db
        self._name, self._labels = row

    @property
    def name(self) -> str:
        return self._name

    @property
    def labels(self) -> dict[str, str]:
        """The labels ({"provider": "aws", "region": ...}), a fresh dict."""
        return _json(self._labels)

    def add_prefix(self, prefix: Any, **options: Any) -> Prefix:
        """:meth:`DB.add_prefix` in this space."""
        return self._db.add_prefix(prefix, space=self._name, **options)

    def prefixes(self, **query: Any) -> Iterator[Prefix]:
        """:meth:`DB.prefixes` of this space."""
        return self._db.prefixes(space=self._name, **query)

    def addresses(self, within: Any = None) -> Iterator[Address]:
        """:meth:`DB.addresses` of this space."""
        return self._db.addresses(space=self._name, within=within)

    def ranges(self, within: Any = None) -> Iterator[Range]:
        """:meth:`DB.ranges` of this space."""
        return self._db.ranges(space=self._name, within=within)

    def remove(self) -> None:
        """Remove the space (it must be empty)."""
        self._db.remove_space(self._name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Space) and (self._name, self._labels) == (other._name, other._labels)

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f"<ipam.Space {self._name!r} labels={self.labels!r}>"


class _Record:
    """What prefixes, addresses and ranges share: their space, description
    and attributes, and equality of everything the database holds."""

    __slots__ = ("_db", "_space", "_description", "_attrs")
    _db: DB
    _space: str
    _description: Optional[str]
    _attrs: Optional[str]

    @property
    def space(self) -> str:
        return self._space

    @property
    def description(self) -> Optional[str]:
        return self._description

    @property
    def attrs(self) -> dict[str, Any]:
        """The free attributes, a fresh dict."""
        return _json(self._attrs)

    def _key(self) -> tuple:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key()[:2])


class Prefix(_Record):
    """A prefix of a space, with its status, pool flag and attributes."""

    __slots__ = ("_c", "_network", "_status", "_pool", "_parent", "_depth", "_opts")

    def __init__(self, db: DB, row: tuple) -> None:
        self._db = db
        (self._c, self._network, self._space, self._status, self._pool, self._description, self._attrs,
         self._parent, self._depth) = row
        # what alloc_address passes on its fast path
        self._opts = None if self._space == "default" else (self._space, None, None, None, 0, None)

    @property
    def network(self) -> IPNetwork:
        return self._network

    @property
    def version(self) -> int:
        """4 or 6."""
        return self._network.version

    @property
    def status(self) -> str:
        """"active", "container", "reserved" or "deprecated"."""
        return STATUS_NAME[self._status]

    @property
    def pool(self) -> bool:
        """True when every address is usable (no network/broadcast)."""
        return self._pool

    @property
    def parent(self) -> Optional[IPNetwork]:
        """The most specific prefix that holds this one, or None."""
        return self._parent

    @property
    def depth(self) -> int:
        """How many prefixes hold this one."""
        return self._depth

    def alloc_address(self, **options: Any) -> IPAddress:
        """Allocate the lowest free address of this prefix (see
        :meth:`DB.alloc_address` for the options)."""
        if options:
            return self._db.alloc_address(self._c, space=self._space, **options)
        return capi.ipam_ip_alloc(self._db._h, self._c, self._opts)

    def alloc_prefix(self, length: int, **options: Any) -> Prefix:
        """Allocate a free /length inside this prefix and return it (:meth:`DB.alloc_prefix`)."""
        return self._db.alloc_prefix(self._c, length, space=self._space, **options)

    def utilization(self) -> Utilization:
        """:meth:`DB.utilization` of this prefix."""
        return self._db.utilization(self._c, space=self._space)

    def addresses(self) -> Iterator[Address]:
        """The addresses inside this prefix, in order."""
        return self._db.addresses(space=self._space, within=self._c)

    def prefixes(self) -> Iterator[Prefix]:
        """This prefix and every prefix inside it, in order."""
        return self._db.prefixes(space=self._space, within=self._c)

    def remove(self) -> None:
        """Remove the prefix (what lies inside it stays)."""
        self._db.remove_prefix(self._c, space=self._space)

    def _key(self) -> tuple:
        return (self._space, self._network, self._status, self._pool, self._description, self._attrs)

    def __repr__(self) -> str:
        return f"<ipam.Prefix {self._network} space={self._space!r} status={self.status!r}>"


class Address(_Record):
    """An address of a space, with its status, hostname and MAC."""

    __slots__ = ("_address", "_prefix", "_status", "_hostname", "_mac")

    def __init__(self, db: DB, row: tuple) -> None:
        self._db = db
        (self._address, self._space, self._prefix, self._status, self._hostname, self._mac, self._description,
         self._attrs) = row

    @property
    def address(self) -> IPAddress:
        return self._address

    @property
    def prefix(self) -> Optional[IPNetwork]:
        """The most specific prefix that holds the address, or None."""
        return self._prefix

    @property
    def status(self) -> str:
        """"active", "reserved", "dhcp" or "deprecated"."""
        return STATUS_NAME[self._status]

    @property
    def hostname(self) -> Optional[str]:
        return self._hostname

    @property
    def mac(self) -> Optional[str]:
        """The MAC in lower-case colon notation, or None."""
        return self._mac

    def release(self) -> None:
        """Release (remove) the address."""
        self._db.release_address(self._address, space=self._space)

    def _key(self) -> tuple:
        return (self._space, self._address, self._status, self._hostname, self._mac, self._description, self._attrs)

    def __repr__(self) -> str:
        host = f" hostname={self._hostname!r}" if self._hostname else ""
        return f"<ipam.Address {self._address} space={self._space!r}{host}>"


class Range(_Record):
    """A range first..last of a space: a DHCP pool, reserved or excluded."""

    __slots__ = ("_first", "_last", "_purpose")

    def __init__(self, db: DB, row: tuple) -> None:
        self._db = db
        self._space, self._first, self._last, self._purpose, self._description, self._attrs = row

    @property
    def first(self) -> IPAddress:
        return self._first

    @property
    def last(self) -> IPAddress:
        return self._last

    @property
    def purpose(self) -> str:
        """"dhcp", "reserved" or "excluded"."""
        return PURPOSE_NAME[self._purpose]

    def __contains__(self, address: object) -> bool:
        try:
            a = ipaddress.ip_address(address)  # type: ignore[arg-type]
        except ValueError:
            return False
        return a.version == self._first.version and self._first <= a <= self._last  # type: ignore[operator]

    @property
    def num_addresses(self) -> int:
        """How many addresses the range holds (as ipaddress networks say it;
        len() would overflow for large IPv6 ranges)."""
        return int(self._last) - int(self._first) + 1

    def remove(self) -> None:
        """Remove the range."""
        self._db.remove_range(self._first, self._last, space=self._space)

    def _key(self) -> tuple:
        return (self._space, self._first, self._last, self._purpose, self._description, self._attrs)

    def __repr__(self) -> str:
        return f"<ipam.Range {self._first}-{self._last} space={self._space!r} purpose={self.purpose!r}>"


class Utilization(NamedTuple):
    """How much of a CIDR is used, read from the index without a scan."""
    total: int
    used: int
    free: int
    #: IPv6: fully free aligned /64 blocks inside (0 for IPv4 and CIDRs longer than /64)
    free_64s: int
    used_percent: float


class Stats(NamedTuple):
    """Figures about a database's in-memory index."""
    spaces: int
    prefixes: int
    addresses: int
    ranges: int
    index_nodes: int
    index_bytes: int
    index_reserved: int


class AuditEntry(NamedTuple):
    """One entry of the audit chain. ``before``/``after`` are the object's
    JSON text (None when it did not exist)."""
    seq: int
    time_us: int
    actor: str
    action: str
    object: str
    before: Optional[str]
    after: Optional[str]
    hash: bytes
    prev: bytes


class AuditReport(NamedTuple):
    """What :meth:`DB.verify_audit` checked."""
    entries: int
    head_seq: int
    head_hash: bytes
    checkpoints: int
    first_bad: int
