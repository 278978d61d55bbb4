"""What is in the landing zone: the deliveries to load, and every other entry with why not.

Grain: one :class:`Entry` per entry of the landing zone that is not loaded (a folder that
is not a delivery, a file the pipeline does not read, a link, a socket), so that each is
recorded in the ledger (``raw.landing_entries``) and reported by name. Nothing here reads
a file's contents or raises for a bad entry: one bad entry never stops the others
(contract 1.1, "Landing zone").

Two levels, as the contract draws them:
- :func:`survey_landing`: ``<landing>/<table>/dt=YYYY-MM-DD/`` folders are deliveries;
  anything else at those two levels is refused (``entry scope 'landing'``).
- :func:`delivery_contents`: the regular files directly inside one delivery folder that
  the pipeline reads; anything else inside it is refused (``entry scope 'delivery'``),
  recorded with that delivery's load.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from realpeople.contract import FILE_FORMATS, TABLES

# Hadoop, Spark and most exporters mark work in progress and bookkeeping with these
# (`_temporary/`, `_SUCCESS`, `.staging/`, `.part-0.crc`).
HIDDEN_PREFIXES = (".", "_")


@dataclass(frozen=True)
class Entry:
    """One landing-zone entry that is not loaded, and why: a ledger row."""

    path: str
    table: str | None
    delivery_date: date | None
    kind: str  # 'delivery' (a folder refused as a delivery), 'folder', 'file', 'link', 'special'
    reason: str

    @property
    def message(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class LandingSurvey:
    """Per table, the delivery dates to load (sorted); and the entries refused outside them."""

    deliveries: dict[str, list[date]] = field(default_factory=dict)
    refused: list[Entry] = field(default_factory=list)

    @property
    def rejected_deliveries(self) -> list[Entry]:
        return [e for e in self.refused if e.kind == "delivery"]


def file_format(name: str) -> str | None:
    """'parquet' or 'csv' for a name the pipeline reads (case-insensitive), else None."""
    lowered = name.lower()
    for suffix, fmt in sorted(FILE_FORMATS.items(), key=lambda kv: -len(kv[0])):
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            return fmt
    return None


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _kind_of(path: Path, root: Path) -> tuple[str, str | None, os.stat_result | None]:
    """('file' | 'folder' | 'link' | 'special', refusal reason or None, stat of the target).

    A symbolic link is followed only when it resolves inside the landing zone (the zone's
    own layout, e.g. a delivery folder linked to a dated export); one that leads outside
    it, or nowhere, is refused: the zone is the trust boundary. Devices, sockets and
    FIFOs are refused (reading a FIFO would block the run).
    """
    try:
        own = path.lstat()
    except OSError as exc:
        return "special", f"cannot be inspected ({exc.strerror})", None
    kind = "link" if stat.S_ISLNK(own.st_mode) else None
    if kind:
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "link", "a symbolic link that leads nowhere", None
        if not _within(target, root):
            return (
                "link",
                f"a symbolic link that leads outside the landing zone (to {target})",
                None,
            )
        try:
            own = target.stat()
        except OSError as exc:
            return (
                "link",
                f"a symbolic link whose target cannot be inspected ({exc.strerror})",
                None,
            )
    if stat.S_ISDIR(own.st_mode):
        return kind or "folder", None, own
    if stat.S_ISREG(own.st_mode):
        return kind or "file", None, own
    what = (
        "a socket"
        if stat.S_ISSOCK(own.st_mode)
        else "a FIFO"
        if stat.S_ISFIFO(own.st_mode)
        else "a device"
        if stat.S_ISCHR(own.st_mode) or stat.S_ISBLK(own.st_mode)
        else "not a regular file"
    )
    return "special", f"{what}, not a regular file", own


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return []


def parse_delivery_folder(name: str) -> tuple[date | None, str | None]:
    """``dt=2026-11-01`` -> (date, None); anything else -> (None, why not)."""
    if not name.startswith("dt="):
        return None, f"folder {name!r} is not a delivery (not named dt=YYYY-MM-DD)"
    text = name[3:]
    try:
        # fromisoformat also takes 20261101 and 2026-W44-7; the contract says YYYY-MM-DD.
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"folder {name!r}: {text!r} is not a valid date (YYYY-MM-DD)"


def survey_landing(
    landing_dir: Path, first_date: date | None = None, last_date: date | None = None
) -> LandingSurvey:
    """Every delivery of every contract table, and every other entry with why it is refused.

    ``first_date``/``last_date`` bound the delivery dates (the accepted range): a folder
    dated outside them is refused, not loaded, naming the setting to change.
    """
    # Paths are reported as given (the ledger's _source_file); links are judged against
    # the resolved zone.
    root = Path(landing_dir).resolve()
    survey = LandingSurvey({table: [] for table in TABLES})
    if not root.is_dir():
        return survey
    for top in _children(Path(landing_dir)):
        kind, refused, _ = _kind_of(top, root)
        if refused:
            survey.refused.append(Entry(str(top), None, None, kind, refused))
            continue
        if top.name not in TABLES or kind not in ("folder", "link") or not top.is_dir():
            survey.refused.append(
                Entry(
                    str(top),
                    None,
                    None,
                    kind,
                    (f"not a contract table (expected folders {', '.join(TABLES)})"),
                )
            )
            continue
        for child in _children(top):
            kind, refused, _ = _kind_of(child, root)
            entry = lambda reason, k=kind, c=child, t=top: Entry(str(c), t.name, None, k, reason)
            if refused:
                survey.refused.append(entry(refused))
                continue
            if not child.is_dir():
                survey.refused.append(entry("a file outside any dt= delivery folder"))
                continue
            day, why = parse_delivery_folder(child.name)
            if day is None:
                survey.refused.append(Entry(str(child), top.name, None, "delivery", why))
            elif first_date is not None and day < first_date:
                survey.refused.append(
                    Entry(
                        str(child),
                        top.name,
                        day,
                        "delivery",
                        (
                            f"dated before the first delivery date taken, REALPEOPLE_FIRST_DELIVERY_DATE={first_date}; "
                            f"set it to {day} or earlier to load it"
                        ),
                    )
                )
            elif last_date is not None and day > last_date:
                survey.refused.append(
                    Entry(
                        str(child),
                        top.name,
                        day,
                        "delivery",
                        (
                            f"dated after the last partition ({last_date}, tomorrow UTC): not loaded yet"
                        ),
                    )
                )
            else:
                survey.deliveries[top.name].append(day)
        survey.deliveries[top.name].sort()
    return survey


def delivery_contents(
    landing_dir: Path, table: str, delivery_date: date
) -> tuple[list[Path], list[Entry]]:
    """The files of one delivery to load, in file order (by name, as 'latest wins' uses),
    and every other entry of its folder with why it is not loaded."""
    root = Path(landing_dir).resolve()
    folder = Path(landing_dir) / table / f"dt={delivery_date.isoformat()}"
    files: list[Path] = []
    refused: list[Entry] = []
    for child in _children(folder):
        kind, why, _ = _kind_of(child, root)
        if why is None:
            if child.is_dir():
                why = "a folder inside a delivery (a delivery is the files directly in its dt= folder)"
            elif child.name.startswith(HIDDEN_PREFIXES):
                why = "a hidden or temporary file (name starts with '.' or '_')"
            elif file_format(child.name) is None:
                why = f"not a format the pipeline reads (expected {', '.join(FILE_FORMATS)})"
        if why is None:
            files.append(child)
        else:
            refused.append(Entry(str(child), table, delivery_date, kind, why))
    return files, refused


# (table, delivery date, path, bytes, mtime in ns) of one file, landed or as recorded.
FileStamp = tuple[str, date, str, int, int | None]


def file_stamps(landing_dir: Path, table: str, delivery_date: date) -> set[FileStamp]:
    """What the ledger records of each file of a delivery, read from the file system
    (no file is opened)."""
    stamps = set()
    for path in delivery_contents(landing_dir, table, delivery_date)[0]:
        info = path.stat()
        stamps.add((table, delivery_date, str(path), info.st_size, info.st_mtime_ns))
    return stamps


def pending_deliveries(
    landing: LandingSurvey, landing_dir: Path, recorded: set[FileStamp]
) -> dict[date, dict[str, str]]:
    """The one definition of "not yet loaded", for ``make run`` and the delivery sensor.

    A delivery's table is pending when the files in its folder (path, size, modification
    time) are not exactly the files the ledger recorded for it, loaded or rejected alike
    (``recorded``: ``sql/ledger_files.sql``): a new file, a re-sent one or a removed one
    makes it pending; a folder the ledger already holds unchanged does not, and nothing
    is read to tell. Returns, per delivery date, each pending table with a fingerprint of
    its files (what a sensor's run key is made of).
    """
    by_delivery: dict[tuple[str, date], set[FileStamp]] = {}
    for stamp in recorded:
        by_delivery.setdefault((stamp[0], stamp[1]), set()).add(stamp)
    pending: dict[date, dict[str, str]] = {}
    for table, dates in landing.deliveries.items():
        for day in dates:
            current = file_stamps(landing_dir, table, day)
            if current and current != by_delivery.get((table, day), set()):
                digest = hashlib.sha256(repr(sorted(current)).encode()).hexdigest()[:16]
                pending.setdefault(day, {})[table] = digest
    return dict(sorted(pending.items()))
