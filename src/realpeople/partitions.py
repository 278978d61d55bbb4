"""Partitions by delivery date: one partition per ``dt=`` folder that has landed (UTC).

A dynamic partitions definition: the dates are the deliveries the landing zone holds,
added when a delivery is first seen (the delivery sensor, and ``make run`` through the
same sensor), not a calendar fixed when the code loads. So nothing is read from the
environment at import, and the UI lists exactly the dates that exist.
"""

from datetime import UTC, date, datetime, timedelta

from dagster import DagsterInstance, DynamicPartitionsDefinition

from realpeople.settings import Settings

delivery_date_partitions = DynamicPartitionsDefinition(name="delivery_date")

# DuckDB allows one writer process at a time: every asset that writes to the warehouse
# takes a slot in this pool, whose limit (1) is set in the instance's dagster.yaml.
DUCKDB_WRITER_POOL = "duckdb_writer"


def partition_range(settings: Settings, today: date | None = None) -> tuple[date, date]:
    """(first, last) delivery date the pipeline takes: REALPEOPLE_FIRST_DELIVERY_DATE and
    tomorrow (UTC; a delivery may be dated in a time zone ahead of UTC). A ``dt=`` folder
    outside it is refused, not loaded."""
    today = today or datetime.now(UTC).date()
    return date.fromisoformat(settings.first_delivery_date), today + timedelta(days=1)


def new_delivery_dates(instance: DagsterInstance, days) -> list[str]:
    """The dates among ``days`` that are not partitions yet (in date order)."""
    known = set(instance.get_dynamic_partitions(delivery_date_partitions.name))
    return sorted({str(day) for day in days} - known)


def add_delivery_dates(instance: DagsterInstance, days) -> list[str]:
    """Make each of ``days`` a partition (a no-op for the known ones); returns the new ones.
    The delivery sensor does the same through its result (``build_add_request``)."""
    new = new_delivery_dates(instance, days)
    if new:
        instance.add_dynamic_partitions(delivery_date_partitions.name, new)
    return new
