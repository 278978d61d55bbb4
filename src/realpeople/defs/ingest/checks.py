"""Great Expectations on the raw rows of a delivery, one (warning) asset check per table.

Row-level problems are already quarantined at load (``sql/validate_<table>.sql``); what
these suites look at is what got through: a mostly-bad column, a suspicious empty
delivery, foreign formats. Worth a look, not a stop: severity WARN. Built by the one GX
check factory (:func:`realpeople.defs.quality.gx.gx_asset_check`).
"""

from dagster import AutomationCondition

from realpeople.contract import TABLES
from realpeople.defs.ingest.assets import RAW_KEYS
from realpeople.defs.ingest.loader import sql
from realpeople.defs.quality.gx import gx_asset_check


def _raw_rows(table: str):
    def load(warehouse, settings, delivery_date: str):
        with warehouse.get_connection() as con:
            return con.execute(
                sql(f"raw_{table}_of_delivery.sql"), {"delivery_date": delivery_date}
            ).df(), {}

    return load


def raw_contract_checks(automation_condition: AutomationCondition | None = None):
    """The four raw suites' checks. Built with the definitions (not at import), because
    when they run is the run policy's decision, and the policy reads the deployment's
    settings (``realpeople.defs.policy``): with the run date's publication."""
    return [
        gx_asset_check(
            asset=RAW_KEYS[table],
            name=f"raw_{table}_contract",
            suite=f"raw_{table}",
            blocking=False,
            load=_raw_rows(table),
            partition_name="dt",
            description=(
                f"Great Expectations suite `raw_{table}` on the delivery's loaded rows. "
                "Warning: row-level problems are already quarantined at load."
            ),
            automation_condition=automation_condition,
        )
        for table in TABLES
    ]
