"""Read one landed file into Arrow: exactly that file, only the contract's columns, within
the limits, with a reason for every row that cannot be used as it is.

Grain: one :class:`LandedFile` per landed file. The file is opened by its path with
pyarrow (``pyarrow.parquet`` / ``pyarrow.csv``) and its rows handed to DuckDB as a stream
of record batches (``BATCH_ROWS`` rows at a time, never the whole file in Arrow: at 8M
events the whole table held 1.4 GB beside DuckDB's buffer pool): DuckDB's own readers
expand ``*``, ``?`` and ``[...]`` in a path even when it is a bound parameter, so a file
literally named ``*.parquet`` would read its whole folder.

What the stream yields holds the contract columns the file has (types as delivered; CSV as
text), ``_file_row`` (0-based row order) and ``_read_problem`` (why a row cannot be loaded
as read, or null): invalid UTF-8 in a Parquet string, a value over the field limit, a CSV
line with the wrong number of fields. Rows with a problem are quarantined by the
validation SQL like any other bad row. A file that cannot be read at all comes back with
``rejected_reason`` naming the byte, line or limit: found on opening (header, schema,
metadata limits) before any row is read, or while the stream is read (a broken page, a
line over the limit, too many rows), in which case the stream fails, the reason is set
on the :class:`LandedFile`, and the reader of the stream (the loader) rejects the file.

The batches are read on a thread of their own, at most ``READ_AHEAD_BATCHES`` ahead of
whoever takes them (:class:`_ReadAhead`): pyarrow releases the GIL while it decodes, so
batch n+1 is decoded and checked while DuckDB works on batch n. A reading failure travels
through the queue and is raised where the batch would have been taken; a consumer that
stops early calls :meth:`LandedFile.close`, which stops the thread and closes the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import queue
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from realpeople import contract
from realpeople.contract import RESERVED_PREFIX, TABLES, Limits
from realpeople.defs.ingest.landing import file_format

# How many ignored column names the ledger keeps for one file (the count is always kept).
IGNORED_NAMES_KEPT = 50
# Rows per record batch handed to DuckDB: Arrow holds a few batches at a time (~20 MB each
# of events; see READ_AHEAD_BATCHES), and the per-batch checks stay vectorised.
BATCH_ROWS = 128 * 1024
# Batches the reading thread may hold ready ahead of DuckDB: enough to decode the next
# while DuckDB takes this one, and a bound on memory (this many batches, plus the one being
# read and the one DuckDB holds).
READ_AHEAD_BATCHES = 2


@dataclass
class LandedFile:
    """One landed file as opened: its rows as a stream of record batches (read once), or
    why it could not be read. ``rejected_reason`` may also be set while the stream is
    read (the stream then fails)."""

    path: Path
    file_format: str
    batches: pa.RecordBatchReader | None = None
    ignored_columns: list[str] = field(default_factory=list)
    rejected_reason: str | None = None
    read_ahead: _ReadAhead | None = field(default=None, repr=False)

    def stream(self):
        """The batches as an Arrow C stream (a PyCapsule) for DuckDB to scan. Not the
        RecordBatchReader itself: DuckDB wraps a reader in a pyarrow dataset Scanner, which
        pulls the batches as fast as they come on a thread of its own and holds all that
        DuckDB has not taken, with no bound (545-601 MB of Arrow in an 8M-event load; every
        batch of the file when DuckDB is the slower, docs/benchmarks.md). The capsule
        DuckDB pulls one batch at a time, from :class:`_ReadAhead`'s queue."""
        return self.batches.__arrow_c_stream__()

    def close(self) -> None:
        """Stop reading (the thread ends, the file is closed), whether or not the stream was
        read to its end: a consumer that failed half-way leaves nothing behind."""
        if self.read_ahead is not None:
            self.read_ahead.close()
        self.batches, self.read_ahead = None, None


class _LimitExceeded(Exception):
    pass


class _Bounded(io.RawIOBase):
    """A binary stream that stops with :class:`_LimitExceeded` past ``limit`` bytes: a gzip
    bomb is stopped at the limit instead of filling memory."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.count, self.exceeded = raw, limit, 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        if self.count > self.limit:
            self.exceeded = True
            raise _LimitExceeded()
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def _is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _open_csv_bytes(path: Path, limits: Limits):
    """A Python binary stream of the file's (decompressed) bytes, bounded by the limit."""
    if _is_gzip(path):
        return _Bounded(gzip.open(path, "rb"), limits.decompressed_bytes)
    return open(path, "rb")


def _csv_stream(path: Path, limits: Limits):
    """The stream pyarrow parses: the file itself (by its literal path; no pattern is
    expanded), or the bounded gzip stream."""
    if _is_gzip(path):
        return _open_csv_bytes(path, limits)
    return pa.memory_map(str(path))


def read_landed_file(path: Path, table_name: str, limits: Limits | None = None) -> LandedFile:
    """Read ``path`` (a file of ``table_name``'s delivery) as :class:`LandedFile`, within
    ``limits`` (default: the contract module's ``LIMITS``, looked up at each call)."""
    limits = limits or contract.LIMITS
    fmt = file_format(path.name) or "csv"
    landed = LandedFile(Path(path), fmt)
    try:
        if fmt == "parquet":
            _read_parquet(landed, table_name, limits)
        else:
            _read_csv(landed, table_name, limits)
    except (_Rejected, pa.ArrowException, OSError, ValueError, csv.Error) as exc:
        landed.batches, landed.rejected_reason = None, _rejection(exc, fmt)
    return landed


def _rejection(exc: Exception, fmt: str) -> str:
    """The ledger's reason for a file the reader gave up on (on opening or mid-stream)."""
    if isinstance(exc, _Rejected):
        return str(exc)
    # Anything else the readers refuse (an exotic type, a file gone since listing): still
    # this file alone.
    return f"unreadable {fmt} file: {type(exc).__name__}: {str(exc).splitlines()[0]}"


def _stream(landed: LandedFile, schema: pa.Schema, batches, limits: Limits) -> None:
    """Set ``landed.batches``: ``batches`` (record batches of ``schema``, as read) with
    ``_file_row`` and ``_read_problem`` added, each cast to one output schema. A failure
    while reading records the file's reason on ``landed`` before the stream fails."""
    out = _problem_schema(schema)

    # The reading thread runs this generator: it holds the file only weakly, so a file
    # dropped half-read is collected and its thread stopped (see _ReadAhead).
    landed_ref = weakref.ref(landed)

    def guarded():
        first_row = 0
        try:
            for batch in batches:
                problem = None
                if "_read_problem" in batch.schema.names:  # lines the CSV parser could not split
                    problem = batch.column("_read_problem")
                    batch = batch.drop_columns(["_read_problem"])
                table = pa.Table.from_batches([batch], schema)
                table = _with_problems(table, limits, first_row, problem)
                first_row += batch.num_rows
                yield from table.cast(out).to_batches()
        except (_Rejected, pa.ArrowException, OSError, ValueError, csv.Error) as exc:
            if (file := landed_ref()) is not None:
                file.rejected_reason = _rejection(exc, file.file_format)
            raise
        finally:
            batches.close()  # stopped early: the file is closed here, on the reading thread

    landed.read_ahead = _ReadAhead(guarded(), READ_AHEAD_BATCHES, landed.path.name)
    landed.batches = pa.RecordBatchReader.from_batches(out, landed.read_ahead)


_END = object()


def _shut(stop: threading.Event, ready: queue.Queue) -> None:
    """Tell the reading thread to stop, and empty its queue so a ``put`` it is blocked in
    returns (it looks at ``stop`` after every batch it puts)."""
    stop.set()
    while True:
        try:
            ready.get_nowait()
        except queue.Empty:
            return


class _ReadAhead:
    """An iterator over ``source``'s items that are produced on a thread of their own, at
    most ``depth`` ahead of the caller (a queue of that size between them). The thread
    starts at the first ``next``. What ``source`` raises is raised by ``next`` in its turn,
    after the items before it. :meth:`close` (or dropping the iterator) stops the thread
    and closes ``source`` (a generator: its ``finally`` and ``with`` blocks run, closing
    the file) on the thread that runs it."""

    def __init__(self, source, depth: int, name: str):
        if depth < 1:  # queue.Queue(0) has no bound at all
            raise ValueError(f"read-ahead depth must be at least 1, not {depth}")
        self._source, self._name = source, name
        self._ready: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._finished = False
        # Dropped without close() (a consumer that stopped early): the thread still stops.
        weakref.finalize(self, _shut, self._stop, self._ready)

    def __iter__(self):
        return self

    def __next__(self):
        with self._lock:  # DuckDB may ask from several threads (it serialises, but be sure)
            if self._finished:
                raise StopIteration
            if self._thread is None:
                self._thread = threading.Thread(
                    target=_produce,
                    args=(self._source, self._ready, self._stop),
                    name=f"realpeople-read-ahead {self._name}",
                    daemon=True,
                )
                self._source = None  # the thread owns it now
                self._thread.start()
            item = self._ready.get()
            if item is _END or isinstance(item, BaseException):
                self._finished = True
                self._thread.join()
                if item is _END:
                    raise StopIteration
                raise item
            return item

    def close(self) -> None:
        """Stop reading and wait for the thread to end (it finishes the batch in hand)."""
        self._finished = True
        if self._thread is None:
            if self._source is not None:
                self._source.close()
                self._source = None
            return
        _shut(self._stop, self._ready)
        if self._thread is not threading.current_thread():
            self._thread.join()
        _shut(self._stop, self._ready)  # what the thread put last, then the end for
        self._ready.put_nowait(_END)  # anyone still waiting in next()


def _produce(source, ready: queue.Queue, stop: threading.Event) -> None:
    """The reading thread: put each item of ``source`` (then ``_END``, or what it raised)
    on ``ready`` until it is done or ``stop`` is set; close ``source`` either way."""
    try:
        try:
            for item in source:
                ready.put(item)
                if stop.is_set():
                    return
            ready.put(_END)
        except BaseException as exc:  # noqa: BLE001 (not swallowed: raised by the consumer)
            if not stop.is_set():
                ready.put(exc)
    finally:
        source.close()


class _Rejected(Exception):
    """The file as a whole cannot be used: the message is the ledger's reason."""


def _columns(names: list[str], table_name: str, limits: Limits) -> tuple[list[str], list[str]]:
    """(contract columns to read, ignored column names) for a file's column names."""
    if len(names) > limits.columns_per_file:
        raise _Rejected(
            f"{len(names):,} columns, over the limit of {limits.columns_per_file:,} "
            "columns per file"
        )
    wanted = TABLES[table_name].column_names
    for name in wanted:
        if names.count(name) > 1:
            raise _Rejected(f"column '{name}' appears {names.count(name)} times")
    keep = [n for n in wanted if n in names]
    if not keep:
        raise _Rejected(
            f"none of the contract's {table_name} columns is present "
            f"(first columns: {', '.join(repr(n[:40]) for n in names[:5])})"
        )
    ignored = [n for n in dict.fromkeys(names) if n not in wanted]
    return keep, ignored


def describe_ignored(ignored: list[str]) -> list[str]:
    """Ignored names as the ledger keeps them: reserved ones marked, long lists cut."""
    shown = [
        f"{n} (reserved)" if n.startswith(RESERVED_PREFIX) else n
        for n in (x[:100] for x in ignored[:IGNORED_NAMES_KEPT])
    ]
    if len(ignored) > IGNORED_NAMES_KEPT:
        shown.append(f"... and {len(ignored) - IGNORED_NAMES_KEPT:,} more")
    return shown


def _read_parquet(landed: LandedFile, table_name: str, limits: Limits) -> None:
    size = landed.path.stat().st_size
    source = None
    try:
        source = pa.memory_map(str(landed.path))
        parquet = pq.ParquetFile(source)
    except (pa.ArrowException, OSError, ValueError) as exc:
        if source is not None:
            source.close()
        raise _Rejected(
            f"unreadable parquet file ({size:,} bytes; truncated or not Parquet): "
            f"{str(exc).splitlines()[0]}"
        ) from exc
    try:
        _stream_parquet(landed, table_name, limits, parquet, source, size)
    except BaseException:
        source.close()  # rejected before a row was read
        raise


def _stream_parquet(
    landed: LandedFile,
    table_name: str,
    limits: Limits,
    parquet: pq.ParquetFile,
    source: pa.MemoryMappedFile,
    size: int,
) -> None:
    """Check the opened Parquet file against the limits and stream it (the stream closes
    ``source`` when it ends, fails or is stopped)."""
    meta = parquet.metadata
    names = parquet.schema_arrow.names
    keep, ignored = _columns(names, table_name, limits)
    if meta.num_rows > limits.rows_per_file:
        raise _Rejected(
            f"{meta.num_rows:,} rows, over the limit of {limits.rows_per_file:,} rows per file"
        )
    expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if expanded > limits.decompressed_bytes:
        raise _Rejected(
            f"{expanded:,} bytes after decompression, over the limit of "
            f"{limits.decompressed_bytes:,}"
        )

    def batches():
        try:
            for batch in parquet.iter_batches(
                batch_size=BATCH_ROWS, columns=keep, use_threads=True
            ):
                yield batch.select(keep)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise _Rejected(
                f"unreadable parquet file ({size:,} bytes): {str(exc).splitlines()[0]}"
            ) from exc
        finally:
            source.close()

    landed.ignored_columns = ignored
    schema = pa.schema([parquet.schema_arrow.field(name) for name in keep])
    _stream(landed, schema, batches(), limits)


def _csv_header(path: Path, limits: Limits) -> list[str]:
    """The header row, parsed with RFC 4180 quoting, reading at most one line's limit.
    Lines are decoded one by one, so a bad byte further down is the parser's to find."""
    with _open_csv_bytes(path, limits) as raw:
        binary = io.BufferedReader(raw) if isinstance(raw, _Bounded) else raw

        def lines():
            budget = limits.line_bytes
            number = 0
            while True:
                line = binary.readline(budget)
                if not line:
                    return
                number += 1
                budget -= len(line)
                if budget <= 0:
                    raise _Rejected(
                        f"line 1 (the header) is longer than the line limit of "
                        f"{limits.line_bytes:,} bytes"
                    )
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise _Rejected(
                        f"line {number} (the header): byte 0x{line[exc.start]:02x} is "
                        "not UTF-8 (the contract's encoding)"
                    ) from None
                yield text.removeprefix("\ufeff") if number == 1 else text

        try:
            return next(csv.reader(lines(), strict=True))
        except StopIteration:
            raise _Rejected("the file is empty (not even a header row)") from None
        except csv.Error as exc:
            raise _Rejected(f"line 1 (the header) cannot be parsed: {exc}") from None
        except _LimitExceeded:
            raise _Rejected(
                f"over the limit of {limits.decompressed_bytes:,} bytes after decompression"
            ) from None


def _read_csv(landed: LandedFile, table_name: str, limits: Limits) -> None:
    path = landed.path
    if not _is_gzip(path) and path.stat().st_size > limits.decompressed_bytes:
        raise _Rejected(
            f"{path.stat().st_size:,} bytes, over the limit of {limits.decompressed_bytes:,}"
        )
    header = _csv_header(path, limits)
    keep, ignored = _columns(header, table_name, limits)
    schema = pa.schema([(name, pa.string()) for name in keep])
    over_decompressed = _Rejected(
        f"over the limit of {limits.decompressed_bytes:,} bytes after decompression"
    )

    def batches():
        # pyarrow's streaming reader, one thread: it parses as fast as DuckDB takes the rows
        # (8M events: 3.1 s against 10.4 s for a threaded read of the whole file), and
        # only a serial parse knows the line number of a line it cannot split.
        bad: list = []

        def skip(row):
            bad.append(row)
            return "skip"

        parsed = 0
        with _csv_stream(path, limits) as raw:
            try:
                reader = pacsv.open_csv(
                    raw,
                    read_options=pacsv.ReadOptions(block_size=limits.line_bytes, use_threads=False),
                    parse_options=pacsv.ParseOptions(
                        delimiter=",",
                        quote_char='"',
                        double_quote=True,
                        newlines_in_values=True,
                        invalid_row_handler=skip,
                    ),
                    convert_options=pacsv.ConvertOptions(
                        include_columns=keep,
                        column_types={c: pa.string() for c in keep},
                        # An empty field is a null, a quoted empty one ("") an empty string.
                        null_values=[""],
                        strings_can_be_null=True,
                        quoted_strings_can_be_null=False,
                        check_utf8=True,
                    ),
                )
                for batch in reader:
                    parsed += batch.num_rows
                    # Over the row limit, the rest is only counted (the reason says how
                    # many rows); the file is rejected below.
                    if parsed + len(bad) <= limits.rows_per_file:
                        yield batch.select(keep)
            except _LimitExceeded:
                raise over_decompressed from None
            except (pa.ArrowException, OSError) as exc:
                if getattr(raw, "exceeded", False):
                    raise over_decompressed from None
                raise _Rejected(
                    f"unreadable csv file: {diagnose_csv(path, limits, str(exc))}"
                ) from exc
        if parsed + len(bad) > limits.rows_per_file:
            raise _Rejected(
                f"{parsed + len(bad):,} rows, over the limit of "
                f"{limits.rows_per_file:,} rows per file"
            )
        if bad:
            yield _unsplit_rows(schema, bad)

    landed.ignored_columns = ignored
    _stream(landed, schema, batches(), limits)


def _unsplit_rows(schema: pa.Schema, bad: list) -> pa.RecordBatch:
    """CSV lines the parser could not split into the header's fields, as rows of
    ``schema`` (the file's contract columns, all null) whose ``_read_problem`` says why
    (they come after the parsed rows in ``_file_row``)."""
    reasons = []
    for row in bad:
        line = f"line {row.number}" if row.number is not None else "a line"
        if not row.text.strip():
            reasons.append(f"row: wrong number of fields: {line} holds only whitespace")
        else:
            reasons.append(
                f"row: wrong number of fields: {line} has {row.actual_columns} where the "
                f"header has {row.expected_columns}: {row.text[:60]!r}"
            )
    columns = [pa.nulls(len(bad), column.type) for column in schema]
    return pa.record_batch(
        [*columns, pa.array(reasons, pa.string())],
        schema=schema.append(pa.field("_read_problem", pa.string())),
    )


def _utf8_per_row(column: pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """(the column as text, mask of values that are not UTF-8, set to null). Slow path:
    only for a column that failed the vectorised check."""
    values, bad = [], []
    for value in column.cast(pa.large_binary()).to_pylist():
        try:
            values.append(None if value is None else value.decode("utf-8"))
            bad.append(False)
        except UnicodeDecodeError:
            values.append(None)
            bad.append(True)
    return pa.array(values, pa.string()), pa.array(bad, pa.bool_())


def _problem_schema(schema: pa.Schema) -> pa.Schema:
    """The schema :func:`_with_problems` makes of ``schema``: text where the file has
    dictionaries, binary or all-null columns (large types stay large), plus ``_file_row``
    and ``_read_problem``."""
    fields = []
    for column in schema:
        kind = column.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if pa.types.is_large_string(kind) or pa.types.is_large_binary(kind):
            kind = pa.large_string()
        elif (
            pa.types.is_null(kind)
            or pa.types.is_binary(kind)
            or pa.types.is_binary_view(kind)
            or pa.types.is_string(kind)
            or pa.types.is_string_view(kind)
        ):
            kind = pa.string()
        fields.append(pa.field(column.name, kind))
    return pa.schema(
        [*fields, pa.field("_file_row", pa.int64()), pa.field("_read_problem", pa.string())]
    )


def _with_problems(
    table: pa.Table, limits: Limits, first_row: int = 0, problem: pa.Array | None = None
) -> pa.Table:
    """Types DuckDB reads as the contract means them, plus ``_file_row`` (from
    ``first_row``: the table is one batch of a file) and ``_read_problem`` (the first
    problem of each row, or null; ``problem`` holds any the reader already found)."""
    n = table.num_rows
    if problem is None:
        problem = pa.nulls(n, pa.string())

    def note(mask, reason: str):
        nonlocal problem
        if pc.any(mask).as_py():
            problem = pc.if_else(pc.and_(mask, pc.is_null(problem)), pa.scalar(reason), problem)

    columns = {}
    for name in table.column_names:
        column = table[name]
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
            kind = column.type
        if pa.types.is_null(kind):
            # Arrow's type for a column that is all null (valid for a nullable field);
            # DuckDB would read it as INTEGER.
            column = column.cast(pa.string())
        elif (
            pa.types.is_binary(kind)
            or pa.types.is_large_binary(kind)
            or pa.types.is_binary_view(kind)
        ):
            # Parquet byte arrays without the UTF8 annotation: text if they decode.
            column, bad = _utf8_per_row(column)
            note(bad, f"{name}: not valid UTF-8")
        elif (
            pa.types.is_string(kind)
            or pa.types.is_large_string(kind)
            or pa.types.is_string_view(kind)
        ):
            try:
                column.validate(full=True)  # Parquet readers do not check UTF-8
            except pa.ArrowInvalid:
                column, bad = _utf8_per_row(column)
                note(bad, f"{name}: not valid UTF-8")
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            too_long = pc.greater(pc.binary_length(column), limits.field_bytes)
            if pc.any(too_long).as_py():
                note(
                    too_long, f"{name}: longer than the field limit of {limits.field_bytes:,} bytes"
                )
                # The quarantine keeps the row: a bounded prefix of the value is enough.
                column = pc.if_else(too_long, pc.utf8_slice_codeunits(column, 0, 200), column)
        columns[name] = column
    columns["_file_row"] = pa.array(np.arange(first_row, first_row + n), pa.int64())
    columns["_read_problem"] = problem
    return pa.table(columns)


def diagnose_csv(path: Path, limits: Limits, error: str) -> str:
    """Where and why a CSV cannot be read, in words: the line and the byte. The parser's
    own message rarely says where, so the file is re-read here (only on failure)."""
    with _open_csv_bytes(path, limits) as raw:
        data = raw.read()
    if not data.strip():
        return "the file is empty (not even a header row)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return (
            f"line {line}: byte 0x{data[exc.start]:02x} (at offset {exc.start}) is not UTF-8 "
            "(the contract's encoding)"
        )
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line.encode("utf-8")) > limits.line_bytes:
            return (
                f"line {number} (byte {start}) is longer than the line limit of "
                f"{limits.line_bytes:,} bytes"
            )
        start += len(line.encode("utf-8")) + 1
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    row_start = 1
    try:
        for _ in reader:
            row_start = reader.line_num + 1
    except csv.Error as exc:
        return f"row starting at line {row_start}: broken quoting ({exc})"
    return error.splitlines()[0]
