"""Great Expectations on the tables the model reads and writes, as asset checks.

- ``account_features_contract`` (blocking): features that break the contract would
  train or score a wrong model, so a failure fails the features run and nothing
  downstream (training, scoring, publishing) runs for that date.
- ``account_scores_contract`` (blocking): the enforcement list and the published files
  are built from the scores; a failure stops publishing.
- ``events_accounts_known`` (warning): events of the run date's window whose account no
  delivery has described cannot reach the features; they are counted, with an example,
  instead of vanishing.
- ``enforcement_guards`` (warning): the run date's terminate guard held automatic
  terminations, or its warn guard raised the warn bar (``model_status``,
  :mod:`realpeople.ml.policy`): the model's policy met today's audited people badly, and
  the Dagster UI shows it on ``account_scores`` beside the numbers.

The GX checks come from the one factory (:mod:`realpeople.defs.quality.gx`): each names
the failing expectations with sample values and links its page in Data Docs.
"""

from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    ResourceParam,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from realpeople.defs.features.builds import accounts_known
from realpeople.defs.quality.gx import gx_asset_check
from realpeople.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions
from realpeople.settings import Settings
from realpeople.warehouse import sql_reader

ACCOUNT_FEATURES = AssetKey("account_features")
ACCOUNT_SCORES = AssetKey("account_scores")


sql = sql_reader(__file__)
# model_status of a run date: the query the compliance metrics read, one home
status_sql = sql_reader(str(Path(__file__).parents[1] / "publish" / "rules.py"))


def _features_of_run_date(warehouse, settings, run_date: str):
    with warehouse.get_connection() as con:
        frame = con.execute(sql("account_features_of_run_date.sql"), {"run_date": run_date}).df()
        # One row per account known as of the run date: none while no account is known
        # (events alone, no accounts delivery taken yet), at least one otherwise.
        known = accounts_known(con, run_date)
        min_rows = 1 if known is None else min(1, known)
    return frame, {"min_rows": min_rows, "max_active_days": settings.feature_window_days + 1}


def _expected(con, query: str, run_date: str) -> dict:
    """Suite parameters that depend on the run date: one row of named columns."""
    cursor = con.execute(sql(query), {"run_date": run_date})
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))


def _scores_of_run_date(warehouse, settings, run_date: str):
    with warehouse.get_connection() as con:
        frame = con.execute(sql("account_scores_of_run_date.sql"), {"run_date": run_date}).df()
        params = _expected(con, "account_scores_expected.sql", run_date)
    return frame, params


account_features_contract = gx_asset_check(
    asset=ACCOUNT_FEATURES,
    name="account_features_contract",
    suite="account_features",
    blocking=True,
    load=_features_of_run_date,
    description=(
        "Great Expectations suite `account_features` on the run date's rows: the "
        "feature contract's columns, one row per account, counts >= 0, shares in "
        "[0, 1]. Blocking: a failure stops training and scoring."
    ),
)

account_scores_contract = gx_asset_check(
    asset=ACCOUNT_SCORES,
    name="account_scores_contract",
    suite="account_scores",
    blocking=True,
    load=_scores_of_run_date,
    description=(
        "Great Expectations suite `account_scores` on the run date's rows: every "
        "account with features scored once (none when no model acts yet), "
        "probabilities in [0, 1], the actions the policy may propose, one model "
        "version. Blocking: a failure stops the enforcement list and publishing."
    ),
)


@asset_check(
    asset=ACCOUNT_FEATURES,
    name="events_accounts_known",
    partitions_def=delivery_date_partitions,
    pool=DUCKDB_WRITER_POOL,
    description=(
        "Events of the run date's feature window whose account no accounts delivery has "
        "described: they cannot reach the features. Warning, with a count and an example."
    ),
)
def events_accounts_known(
    context: AssetCheckExecutionContext,
    warehouse: DuckDBResource,
    settings: ResourceParam[Settings],
) -> AssetCheckResult:
    run_date = context.partition_keys[-1]  # the newest date of a (single-run) range
    with warehouse.get_connection() as con:
        events, accounts, example, where = con.execute(
            sql("events_of_unknown_accounts.sql"),
            {"run_date": run_date, "window_days": settings.feature_window_days},
        ).fetchone()
    message = (
        (
            f"{events} event(s) of {accounts} account(s) never seen in accounts "
            f"(e.g. account_id {example!r} at {where})"
        )
        if events
        else "every event's account is known"
    )
    if events:
        context.log.warning(f"events_accounts_known run_date={run_date}: {message}")
    return AssetCheckResult(
        passed=not events,
        severity=AssetCheckSeverity.WARN,
        description=message,
        metadata={
            "events": int(events),
            "accounts": int(accounts),
            "example_account_id": example or "",
            "example_location": where or "",
        },
    )


def guards_verdict(status: dict | None) -> tuple[bool, str, dict]:
    """(passed, description, metadata) of ``enforcement_guards`` from the run date's
    ``model_status`` row (None: the date was not scored). Fails (a warning) when the
    terminate guard held terminations or the warn guard raised the warn bar."""
    if not status or not status.get("model_acting"):
        return True, "no model acted on this date: no guard to report", {}
    tripped = bool(status.get("terminate_guard_tripped"))
    withheld = int(status.get("warnings_withheld") or 0)
    held = int(status.get("terminations_held") or 0)
    parts = []
    if tripped:
        parts.append(
            f"terminate guard tripped: {status.get('guard_people_flagged')} of "
            f"{status.get('guard_people_reviewed')} audited people above the terminate bar; "
            f"{held} automatic terminations went to the review queue"
        )
    if withheld:
        parts.append(
            f"warn guard raised the warn bar to {status.get('warn_threshold_acting'):.3f}: "
            f"the policy's bar would warn {status.get('warn_guard_people_flagged')} audited "
            f"people; {withheld} warnings withheld"
        )
    metadata = {
        "terminate_guard_tripped": tripped,
        "terminations_held": held,
        "warn_threshold_acting": float(status.get("warn_threshold_acting") or 0.0),
        "warnings_withheld": withheld,
        "audited_people": int(status.get("guard_people_reviewed") or 0),
    }
    if not parts:
        return True, "both guards passed: the policy's bars act as chosen", metadata
    return False, "; ".join(parts) + " (docs/models.md)", metadata


@asset_check(
    asset=ACCOUNT_SCORES,
    name="enforcement_guards",
    partitions_def=delivery_date_partitions,
    pool=DUCKDB_WRITER_POOL,
    description=(
        "Warning when the run date's terminate guard held automatic terminations or its warn "
        "guard raised the warn bar: the model's policy would have acted on more audited "
        "people than chance explains (model_status; docs/models.md)."
    ),
)
def enforcement_guards(
    context: AssetCheckExecutionContext, warehouse: DuckDBResource
) -> AssetCheckResult:
    run_date = context.partition_keys[-1]
    with warehouse.get_connection() as con:
        cursor = con.execute(status_sql("model_status_for_run_date.sql"), {"run_date": run_date})
        row = cursor.fetchone()
        status = dict(zip([d[0] for d in cursor.description], row)) if row else None
    passed, message, metadata = guards_verdict(status)
    if not passed:
        context.log.warning(f"enforcement_guards run_date={run_date}: {message}")
    return AssetCheckResult(
        passed=passed, severity=AssetCheckSeverity.WARN, description=message, metadata=metadata
    )


quality_checks = [
    account_features_contract,
    account_scores_contract,
    events_accounts_known,
    enforcement_guards,
]
