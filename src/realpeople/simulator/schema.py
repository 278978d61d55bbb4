"""Arrow schemas of the landing-zone tables, and the small file helpers the simulator
and its tests use.

The schemas are derived from the contract's one declaration (``realpeople.contract``),
so the simulator cannot drift from what ingestion checks; it writes nothing else to the
landing zone.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from realpeople import contract, vocabulary

TS = pa.timestamp("us", tz="UTC")
# The Arrow type the simulator writes for each contract type.
ARROW_TYPES = {"string": pa.string(), "timestamp": TS, "integer": pa.int64(), "boolean": pa.bool_()}

# (name, Arrow type, nullable) per table, in the contract's column order.
TABLE_COLUMNS = {
    name: [(c.name, ARROW_TYPES[c.type], c.nullable) for c in table.columns]
    for name, table in contract.TABLES.items()
}

SCHEMAS = {
    name: pa.schema([pa.field(c, t, nullable=n) for c, t, n in cols])
    for name, cols in TABLE_COLUMNS.items()
}

ALLOWED_VALUES = {
    ("accounts", "signup_client"): set(vocabulary.CLIENTS),
    ("events", "event_type"): set(vocabulary.EVENT_TYPES),
    ("events", "client"): set(vocabulary.CLIENTS),
    ("reviews", "verdict"): set(vocabulary.VERDICTS),
    ("reviews", "source"): set(vocabulary.REVIEW_SOURCES),
    ("appeals", "action"): set(vocabulary.APPEAL_ACTIONS),
    ("appeals", "outcome"): set(vocabulary.APPEAL_OUTCOMES),
}

GROUND_TRUTH_SCHEMA = pa.schema(
    [
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("archetype", pa.string(), nullable=False),
        pa.field("true_class", pa.string(), nullable=False),
    ]
)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Deterministic Parquet write: fixed row-group size, no wall-clock anywhere."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=3,
        row_group_size=1 << 20,
        write_statistics=True,
    )


def write_csv(table: pa.Table, path: Path) -> None:
    """CSV delivery: UTF-8, header row, RFC 4180 quoting (every string quoted,
    embedded quotes doubled), timestamps as ISO-8601 ``YYYY-MM-DDTHH:MM:SS.ffffffZ``,
    booleans ``true``/``false``, nulls as empty unquoted fields."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = []
    for field, col in zip(table.schema, table.columns):
        if pa.types.is_timestamp(field.type):
            col = pc.strftime(col, format="%Y-%m-%dT%H:%M:%SZ")
        cols.append(col)
    out = pa.table(cols, names=table.column_names)
    pcsv.write_csv(out, path, pcsv.WriteOptions(include_header=True, quoting_style="needed"))


def write_delivery_as_csv(parquet_path, csv_path) -> None:
    """Convert one Parquet delivery file to the equivalent CSV delivery file."""
    write_csv(pq.read_table(parquet_path), Path(csv_path))


def read_delivery_csv(csv_path, table: str) -> pa.Table:
    """Read a CSV delivery back into the contract schema of ``table``
    (``accounts``, ``events``, ``reviews`` or ``appeals``)."""
    schema = SCHEMAS[table]
    opts = pcsv.ConvertOptions(
        column_types={f.name: f.type for f in schema},
        include_columns=[f.name for f in schema],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["true"],
        false_values=["false"],
    )
    parse = pcsv.ParseOptions(newlines_in_values=True)
    t = pcsv.read_csv(csv_path, parse_options=parse, convert_options=opts)
    return t.cast(schema)
