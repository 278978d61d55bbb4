"""Daily partitions by delivery date (the landing zone's ``dt=`` folders, UTC)."""

from datetime import date

from dagster import DailyPartitionsDefinition

from realpeople.settings import Settings, load_settings

# end_offset=1: today's delivery can be loaded today, not only once the day is over.
delivery_date_partitions = DailyPartitionsDefinition(
    start_date=load_settings().first_delivery_date, end_offset=1, fmt="%Y-%m-%d"
)

# DuckDB allows one writer process at a time: every asset that writes to the warehouse
# takes a slot in this pool, whose limit (1) is set in the instance's dagster.yaml.
DUCKDB_WRITER_POOL = "duckdb_writer"


def partition_range(settings: Settings) -> tuple[date, date]:
    """(first, last) delivery date a partition exists for: REALPEOPLE_FIRST_DELIVERY_DATE
    and tomorrow (UTC). A dt= folder outside it is refused, not loaded."""
    last = delivery_date_partitions.get_last_partition_key()
    return date.fromisoformat(settings.first_delivery_date), date.fromisoformat(last)
