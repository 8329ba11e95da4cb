"""Importers for other IPAM/DDI systems' exports, and the CSV exports
(include/ipam/import.h, docs/import.md)."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

from . import _capi as capi
from ._cancel import interruptible
from ._errors import InvalidArgument

if TYPE_CHECKING:
    from ._db import DB

#: what :meth:`ipam.DB.export_csv` writes
CSV_KIND = {
    "netbox-vrfs": capi.IPAM_EXPORT_NETBOX_VRFS,
    "netbox-prefixes": capi.IPAM_EXPORT_NETBOX_PREFIXES,
    "netbox-ranges": capi.IPAM_EXPORT_NETBOX_RANGES,
    "netbox-addresses": capi.IPAM_EXPORT_NETBOX_ADDRESSES,
    "infoblox": capi.IPAM_EXPORT_INFOBLOX,
}


class Import:
    """One import of another system's export: add files (or texts), then
    :meth:`apply` to a database once; :attr:`report` tells what happened to
    every row. ``format``: "netbox-csv", "netbox-json", "infoblox",
    "phpipam-sql". ``space``: put everything into this space;
    ``space_map``: {source space: space}. ``dry_run``: compute what would
    change and leave the database as it was; ``all_or_nothing``: import
    nothing when any row is bad.

    Bad rows are reported and skipped, not raised. An Import is used by one
    thread at a time; reading files and applying run with the GIL released.
    """

    __slots__ = ("_h", "_format", "_applied")

    def __init__(self, format: str, *, space: Optional[str] = None, space_map: Optional[dict[str, str]] = None,
                 dry_run: bool = False, all_or_nothing: bool = False,
                 mapping: Union[None, str, dict[str, Any]] = None) -> None:
        fmt = capi.ipam_import_format_parse(format)
        flags = ((capi.IPAM_IMPORT_DRY_RUN if dry_run else 0)
                 | (capi.IPAM_IMPORT_ALL_OR_NOTHING if all_or_nothing else 0))
        words = None if space_map is None else [f"{k}={v}" for k, v in space_map.items()]
        self._h = capi.ipam_import_new(fmt, (flags, space, words))
        self._format = format
        self._applied = False
        if mapping is not None:
            # the "csv" format reads through a mapping (column -> field, transforms)
            capi.ipam_import_set_mapping(self._h, mapping if isinstance(mapping, str) else json.dumps(mapping))

    @property
    def format(self) -> str:
        return self._format

    def add_file(self, path: Union[str, os.PathLike]) -> Import:
        """Read a file into the model (:class:`IOFailure` when it cannot be
        read, :class:`InvalidArgument` when it is not of the format at
        all). Returns self."""
        capi.ipam_import_add_file(self._h, os.fspath(path))
        return self

    def add_text(self, name: str, data: Union[str, bytes]) -> Import:
        """As :meth:`add_file` for a text in memory; name is the file name
        the report uses."""
        capi.ipam_import_add_buffer(self._h, name, data)
        return self

    def apply(self, db: DB) -> int:
        """Write the model to db in one transaction (retried when another
        writer wins a race). Returns :attr:`status`. Ctrl-C stops it and
        rolls it all back (KeyboardInterrupt)."""
        interruptible(capi.ipam_import_apply, self._h, db._h)
        self._applied = True
        return self.status

    @property
    def report(self) -> dict[str, Any]:
        """{"imported", "updated", "unchanged", "skipped": counts of spaces,
        prefixes, ranges, addresses, records; "errors": [{"file", "line",
        "field", "value", "message"}], "notes": [...]}."""
        return json.loads(capi.ipam_import_report(self._h))

    @property
    def status(self) -> int:
        """0: every row taken; 3: some rows skipped; 1: nothing imported."""
        return capi.ipam_import_status(self._h)

    def __repr__(self) -> str:
        return f"<ipam.Import {self._format}{' applied' if self._applied else ''}>"


def suggest_csv_mapping(name: str, data: Union[str, bytes]) -> dict[str, Any]:
    """A mapping for a CSV file guessed from its header and first rows, for
    a person to review ("review" says why each column got its field); what
    ``Import("csv", mapping=...)`` takes."""
    return json.loads(capi.ipam_import_suggest(name, data))


def import_files(db: DB, format: str, files: Iterable[Union[str, os.PathLike]], **options: Any) -> dict[str, Any]:
    """Import files of one format into db (see :class:`Import` for the
    options) and return the report."""
    imp = Import(format, **options)
    for f in files:
        imp.add_file(f)
    imp.apply(db)
    return imp.report


def csv_kind(kind: str) -> int:
    try:
        return CSV_KIND[kind]
    except (KeyError, TypeError):
        raise InvalidArgument(f"unknown CSV export {kind!r}; one of {', '.join(map(repr, CSV_KIND))}") from None
