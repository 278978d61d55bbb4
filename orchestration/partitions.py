"""Daily partitions by delivery date (the landing zone's ``dt=`` folders, UTC)."""

from dagster import DailyPartitionsDefinition

from orchestration.settings import load_settings

# end_offset=1: today's delivery can be loaded today, not only once the day is over.
delivery_date_partitions = DailyPartitionsDefinition(
    start_date=load_settings().first_delivery_date, end_offset=1, fmt="%Y-%m-%d")

# DuckDB allows one writer process at a time: every asset that writes to the warehouse
# takes a slot in this pool, whose limit (1) is set in the instance's dagster.yaml.
DUCKDB_WRITER_POOL = "duckdb_writer"
