"""``python -m realpeople run``: the whole pipeline on the landing zone, from a shell.

Ingests every delivery not yet loaded (or changed since), builds features for the
latest delivery date (and, on a catch-up run, for a few earlier dates, so training has
point-in-time features), trains if no model is registered yet (or ``--retrain``: the new
model must pass the promotion gate), scores with the champion and publishes that date. Runs go through the Dagster instance under ``DAGSTER_HOME``, so they show in the
UI exactly as if launched there. Exits non-zero, with the stage and the reason, if any
stage fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from realpeople.settings import PACKAGE_DIR, Settings, load_settings

INSTANCE_TEMPLATE = PACKAGE_DIR / "instance" / "dagster.yaml"


# The designed reasons a run stops without publishing (docs/operations.md, "Designed
# stops"). Anything else that stops a run is a bug: the conformance tests
# (tests/conformance) fail on it.
DESIGNED_STOPS: dict[str, str] = {
    "no_deliveries": "the landing zone holds no delivery the run can take (bad or too-early dt= folders are rejected, not loaded)",
    "no_rows": "no delivery loaded any row (every file empty or rejected): nothing to publish",
    "safety_brake": "terminations surged or scores shifted: an operator must release the brake",
}


class StageFailed(RuntimeError):
    """A stage stopped the run. ``reason`` is a key of :data:`DESIGNED_STOPS`, or
    ``"stage_failed"`` for anything not designed (a bug to report)."""

    def __init__(self, message: str, reason: str = "stage_failed"):
        super().__init__(message)
        self.reason = reason


def prepare_instance(settings: Settings):
    """Create DAGSTER_HOME with the project's dagster.yaml and return the instance."""
    home = Path(settings.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists() or target.read_text() != INSTANCE_TEMPLATE.read_text():
        shutil.copyfile(INSTANCE_TEMPLATE, target)
    os.environ["DAGSTER_HOME"] = str(home)
    from dagster import DagsterInstance

    return DagsterInstance.get()


def _ledger(settings: Settings, read_only: bool = True):
    """A connection to the warehouse; another run may be writing (DuckDB: one writer
    process, no readers beside it): wait for it, with Dagster's backoff, as
    DuckDBResource does."""
    import duckdb
    from dagster._utils.backoff import backoff

    return backoff(
        duckdb.connect,
        retry_on=(duckdb.IOException,),
        max_retries=10,
        kwargs={"database": settings.warehouse_path, "read_only": read_only},
    )


def survey(settings: Settings):
    """What the landing zone holds: the deliveries in the partition range, and every
    other entry with why it is refused (never raises for a bad folder)."""
    from realpeople.defs.ingest.landing import survey_landing
    from realpeople.partitions import partition_range

    return survey_landing(Path(settings.landing_dir), *partition_range(settings))


def pending_deliveries(settings: Settings) -> dict[date, list[str]]:
    """Delivery dates with tables not yet loaded as they now are (the one definition,
    shared with the delivery sensor: :func:`realpeople.defs.ingest.landing.pending_deliveries`)."""
    from realpeople.defs.ingest.landing import pending_deliveries as pending
    from realpeople.defs.ingest.loader import recorded_files

    recorded = set()
    if Path(settings.warehouse_path).exists():
        with _ledger(settings) as con:
            recorded = recorded_files(con)
    found = pending(survey(settings), Path(settings.landing_dir), recorded)
    return {day: sorted(tables) for day, tables in found.items()}


def _root_cause(error) -> str:
    """The innermost error's first line: what went wrong, not Dagster's wrapper."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return error.message.strip().splitlines()[0]


# The terminal shows stages and warnings; the full logs (Dagster's and dbt's) go to a
# file per stage under <data>/logs and, as for any run, to the Dagster UI.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _failed_checks(result) -> list[tuple[str, str]]:
    """(check name, its description) of every asset check that failed in the run."""
    return [
        (e.event_specific_data.check_name, e.event_specific_data.description or "")
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    ]


def _execute(
    defs,
    job_name: str,
    instance,
    partition_key: str | None = None,
    asset_selection=None,
    log_dir: Path | None = None,
):
    started = time.perf_counter()
    job = defs.resolve_job_def(job_name)
    if asset_selection is not None:
        # Dagster's bare asset selection would pull in every check of the selected assets;
        # keep only the job's own (the ingest job leaves the raw GX suites to the daily run).
        keys = set(asset_selection)
        checks = {k for k in job.asset_layer.asset_graph.asset_check_keys if k.asset_key in keys}
        job = job.get_subset(asset_selection=keys, asset_check_selection=checks)
    label = f"{job_name}" + (f" [{partition_key}]" if partition_key else "")
    log_path = None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{job_name}{'-' + partition_key if partition_key else ''}.log"
    with (
        open(log_path or os.devnull, "w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log if log_path else sys.stdout),
    ):
        result = job.execute_in_process(
            instance=instance,
            partition_key=partition_key,
            raise_on_error=False,
            run_config=QUIET_RUN_CONFIG if log_path else None,
        )
    seconds = time.perf_counter() - started
    if not result.success:
        failures = [
            f"{e.step_key}: {_root_cause(e.event_specific_data.error)}"
            for e in result.all_events
            if e.is_step_failure
        ]
        where = f"; log: {log_path}" if log_path else ""
        text = "; ".join(failures or ["see the run in the Dagster UI"])
        # A failed blocking check's step error says only "1 blocking asset check failed";
        # the check's own message (for the brake: the figures and the release command) is
        # what an operator needs, so each failed check's description is printed whole.
        checks = _failed_checks(result)
        text += "".join(f"\n  check {name} failed: {description}" for name, description in checks)
        # The brake is a designed stop; any other failed check or step is not.
        brake_only = [name for name, _ in checks] == ["safety_brake"] and len(failures) == 1
        raise StageFailed(
            f"{label} failed (run {result.run_id}{where}): {text}",
            reason="safety_brake" if brake_only else "stage_failed",
        )
    print(f"  {label:<34} ok  {seconds:6.1f} s", flush=True)
    return result, seconds


def run_pipeline(settings: Settings, quiet: bool = True, retrain: bool = False) -> dict:
    """The whole pipeline; returns per-stage seconds and the run date.

    ``quiet``: stage logs go to files under ``<data>/logs`` instead of the terminal.
    """
    instance = prepare_instance(settings)
    from realpeople.definitions import build_definitions
    from realpeople.defs.ingest.assets import RAW_KEYS
    from realpeople.defs.ingest.loader import (
        ledger_rejections,
        newest_delivery_with_rows,
        record_landing_survey,
    )

    defs = build_definitions(settings)
    # A bad delivery never stops the good ones: refused folders are recorded, not raised.
    landing = survey(settings)
    all_dates = sorted({d for dates in landing.deliveries.values() for d in dates})
    if not all_dates:
        raise StageFailed(
            f"no deliveries under {settings.landing_dir} "
            "(expected <table>/dt=YYYY-MM-DD/*.parquet|*.csv)"
            + "".join(f"; {e.message}" for e in landing.rejected_deliveries[:5]),
            reason="no_deliveries",
        )
    timings: dict[str, float] = {"ingest": 0.0}
    log_dir = Path(settings.data_dir) / "logs" if quiet else None

    Path(settings.warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    with _ledger(settings, read_only=False) as con:
        record_landing_survey(con, landing)
    pending = pending_deliveries(settings)
    print(
        f"RealPeople: {len(all_dates)} delivery dates in {settings.landing_dir}; "
        f"{len(pending)} to load; {len(landing.refused)} other entries refused"
    )
    for n, (day, tables) in enumerate(pending.items(), start=1):
        print(f"  delivery {n}/{len(pending)}: {day} ({', '.join(sorted(tables))})", flush=True)
        _, seconds = _execute(
            defs,
            "ingest_job",
            instance,
            day.isoformat(),
            asset_selection=[RAW_KEYS[t] for t in tables],
            log_dir=log_dir,
        )
        timings["ingest"] += seconds
    with _ledger(settings) as con:
        newest = newest_delivery_with_rows(con, all_dates)
        rejections = ledger_rejections(con)
    if newest is None:
        raise StageFailed(
            "no delivery loaded any row (every file empty or rejected): nothing to publish; "
            + "; ".join(f"{path}: {reason}" for _, path, reason in rejections[:5]),
            reason="no_rows",
        )
    # The newest delivery that holds rows; an empty dt= folder does not move it.
    run_date = newest.isoformat()
    print(f"  run date {run_date} (newest delivery with rows)")
    timings["features"] = 0.0
    # Point-in-time training needs, for each review, a snapshot from before its day: a
    # run that loads many days at once builds the fewest earlier snapshots that cover
    # every review (src/realpeople/defs/model/snapshots.py); a daily run usually builds none.
    from realpeople.defs.features.builds import build_inputs, is_current
    from realpeople.defs.model.snapshots import snapshots_to_build

    with _ledger(settings) as con:
        catch_up = snapshots_to_build(con, all_dates[0], newest, settings.feature_window_days)
        inputs = build_inputs(con, settings)
        # A date built from exactly what the warehouse and the dbt project hold now (no
        # load, model edit or setting since) is not built again: a re-run is cheap.
        current = {
            day
            for day in [*(d.isoformat() for d in catch_up), run_date]
            if is_current(con, day, inputs)
        }
    # The run date last: dbt's views are left as of the run date.
    for day in [*(d.isoformat() for d in catch_up), run_date]:
        if day in current:
            print(f"  {'features_job [' + day + ']':<34} up to date (nothing it reads changed)")
            continue
        _, seconds = _execute(defs, "features_job", instance, day, log_dir=log_dir)
        timings["features"] += seconds

    from realpeople.defs.automation import needs_training

    # The daemon's rule too (train_when_no_champion): the first model is trained at once.
    if retrain or needs_training(settings) is not None:
        _, timings["training"] = _execute(defs, "training_job", instance, log_dir=log_dir)
    result, timings["publish"] = _execute(defs, "publish_job", instance, run_date, log_dir=log_dir)
    require_published(result, run_date)
    return {
        "run_date": run_date,
        "timings": timings,
        "rejections": rejections,
        "features_current": sorted(current),
    }


def rejection_summary(rejections: list[tuple[str, str, str]], shown: int = 20) -> str:
    """What the landing zone held that was not loaded, as the run's closing message."""
    counts = {
        kind: sum(1 for k, *_ in rejections if k == kind) for kind in ("delivery", "file", "entry")
    }
    lines = [
        (
            f"Not loaded: {counts['delivery']} delivery folder(s) rejected, {counts['file']} file(s) "
            f"rejected, {counts['entry']} other entr(y/ies) refused (all in the ledger: "
            "raw.landing_entries, raw.deliveries):"
        )
    ]
    lines += [f"  {kind:<8} {path}: {reason}" for kind, path, reason in rejections[:shown]]
    if len(rejections) > shown:
        lines.append(f"  ... and {len(rejections) - shown} more")
    return "\n".join(lines)


def require_published(result, run_date: str) -> None:
    """Raise :class:`StageFailed` unless the run published the date's files."""
    from dagster import AssetKey

    published = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key == AssetKey("published_snapshot")
    ]
    if not published:
        failed = _failed_checks(result)
        names = [name for name, _ in failed]
        raise StageFailed(
            f"publish_job [{run_date}] did not publish: blocking check(s) failed: "
            f"{', '.join(names) or 'unknown'}"
            + "".join(f"\n  check {name} failed: {text}" for name, text in failed),
            reason="safety_brake" if names == ["safety_brake"] else "stage_failed",
        )


def summarise(settings: Settings, run_date: str) -> str:
    import pandas as pd

    folder = Path(settings.published_dir) / run_date
    listed = pd.read_parquet(folder / "enforcement_list.parquet")
    metrics = pd.read_parquet(folder / "compliance_metrics.parquet").set_index("metric")["value"]
    counts = listed["action"].value_counts()
    from realpeople.ml.tracking import champion

    model = champion(settings.model_name)
    lines = [
        "",
        f"Published for {run_date}:",
        f"  enforcement list     {folder / 'enforcement_list.parquet'} (and .csv)",
        f"  compliance metrics   {folder / 'compliance_metrics.parquet'} (and .csv)",
        f"  report               {folder / 'report.html'}",
        f"  review queue         {folder / 'review_queue.parquet'} (and .csv)",
        "",
        (
            f"Accounts actioned: terminate {int(counts.get('terminate', 0)):,}, "
            f"warn_and_limit {int(counts.get('warn_and_limit', 0)):,} "
            f"(of {int(metrics.get('accounts_scored', 0)):,} scored); "
            f"{len(pd.read_parquet(folder / 'review_queue.parquet')):,} sent to moderators"
        ),
    ]
    on_rings, ring_people = (
        metrics.get(name) for name in ("terminated_on_ring_evidence", "ring_people_reviewed")
    )
    if pd.notna(on_rings) and on_rings > 0:
        lines.append(
            f"  of the terminations, {int(on_rings):,} on ring evidence "
            "(uncertain score, member of a coordination ring)"
        )
    elif pd.notna(ring_people) and ring_people > 0:
        lines.append(
            f"  ring evidence did not act: {int(ring_people)} reviewed person(s) sit in a "
            "coordination ring the model is unsure of"
        )
    if not metrics.get("model_acting", 1):
        lines += ["", no_model_sentence(metrics)]
    if metrics.get("terminate_guard_tripped", 0) == 1:
        lines += ["", guard_sentence(metrics)]
    if model is not None:
        import mlflow

        run = mlflow.get_run(model.run_id)
        m, params = run.data.metrics, run.data.params
        nan = float("nan")
        lines += [
            (
                f"Champion {model.name} v{model.version} on the newest reviews, held out "
                f"(n={params.get('n_test')}, reviewed from {params.get('test_cutoff', '?')[:10]}; "
                f"trained on {params.get('n_train')} older ones):"
            ),
            *(
                f"  {cls:<12} precision {m.get(f'precision_{cls}', nan):.3f}  "
                f"recall {m.get(f'recall_{cls}', nan):.3f}  PR-AUC {m.get(f'pr_auc_{cls}', nan):.3f}"
                for cls in ("human", "ai_assisted", "ai_managed")
            ),
            # The held-out figures belong to the bar chosen on older reviews only (the
            # report policy); the model acts with the bar chosen on every review.
            (
                f"  terminate at score_ai_managed >= "
                f"{m.get('report_policy_terminate_threshold', model.policy.terminate_threshold):.3f}: "
                f"precision {m.get('terminate_precision', nan):.3f}, recall {m.get('terminate_recall', nan):.3f} "
                f"(population-weighted); people wrongly terminated per 10,000: "
                f"{m.get('wrongly_terminated_per_10k_people', nan):.1f} (random audit)"
            ),
            (
                f"  acting bar (chosen on all {m.get('threshold_reviews', nan):.0f} reviews' time-aware "
                f"out-of-fold scores): {model.policy.terminate_threshold:.3f}, precision "
                f"{model.policy.terminate_heldout_precision:.3f} (95 % lower bound "
                f"{model.policy.terminate_precision_lower:.3f} on {model.policy.terminate_heldout_support} flagged)"
            ),
            f"  calibration: Brier {m.get('brier_uncalibrated', nan):.4f} -> {m.get('brier_calibrated', nan):.4f}",
        ]
        latest = challenger_summary(settings.model_name)
        if latest:
            lines.append(latest)
    return "\n".join(lines)


def guard_sentence(metrics) -> str:
    """The run summary's line when the terminate guard held automatic terminations."""
    return (
        f"Terminate guard tripped: the terminate bar would terminate "
        f"{int(metrics.get('guard_people_flagged', 0))} of {int(metrics.get('guard_people_reviewed', 0))} "
        f"people of the random audit on today's features, so the model's "
        f"{int(metrics.get('terminations_held', 0)):,} terminations went to the review queue "
        f"(moderators' verdicts still act; REALPEOPLE_TERMINATE_GUARD_PER_10K, docs/models.md)"
    )


def no_model_sentence(metrics) -> str:
    """What the run summary (and the report) say when no model acts yet."""
    from realpeople.ml.features import CLASSES

    needs = [
        f"{int(metrics.get(f'reviews_needed_{c}') or 0):,} more reviewed {c}"
        for c in CLASSES
        if (metrics.get(f"reviews_needed_{c}") or 0) > 0
    ]
    if (metrics.get("reviews_needed_any") or 0) > 0:
        needs.append(f"{int(metrics['reviews_needed_any']):,} more reviewed accounts of any class")
    return (
        "No model acts yet: every action above is a moderator's verdict (decided_by = moderator). "
        + (
            f"Training needs {', '.join(needs)} (reviews count once a feature snapshot from "
            "before their day exists)."
            if needs
            else "Enough reviews now: the next run trains one (or run with --retrain)."
        )
    )


def challenger_summary(model_name: str) -> str | None:
    """The promotion gate's last word, when the newest version is not the champion."""
    import mlflow

    from realpeople.ml.tracking import challenger, champion

    newest, current = challenger(model_name), champion(model_name)
    if newest is None or current is None or newest.version == current.version:
        return None
    reason = mlflow.get_run(newest.run_id).data.tags.get("gate.reason", "no gate decision recorded")
    return f"  challenger v{newest.version} not promoted: {reason}"


def _print_rejections(settings: Settings) -> None:
    """After a failed run, what the ledger says was rejected too (it may be the cause)."""
    if not Path(settings.warehouse_path).exists():
        return
    import duckdb

    from realpeople.defs.ingest.loader import ledger_rejections

    try:
        with _ledger(settings) as con:
            rejections = ledger_rejections(con)
    except duckdb.Error:
        return
    if rejections:
        print(rejection_summary(rejections), file=sys.stderr)


def lookup_pseudonyms(settings: Settings, wanted: list[str]) -> int:
    """Print ``pseudonym account_id`` for each pseudonym (exit 2 if one matches no known
    account). The key never leaves the data dir; every account the warehouse knows is
    hashed again and compared."""
    from realpeople.defs.publish.pseudonyms import key_path, load_key, resolve

    if not key_path(settings.data_dir).exists() or not Path(settings.warehouse_path).exists():
        print(
            f"No pseudonym key or warehouse under {settings.data_dir}: nothing was published here.",
            file=sys.stderr,
        )
        return 2
    key = load_key(settings.data_dir)
    with _ledger(settings) as con:
        known = [
            a for (a,) in con.execute("select distinct account_id from raw.accounts").fetchall()
        ]
    missing = 0
    for p in wanted:
        found = resolve(p, known, key)
        print(f"{p}\t{', '.join(found) if found else 'no known account'}")
        missing += not found
    return 2 if missing else 0


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m realpeople",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="ingest new deliveries, build features, train if needed, score, publish"
    )
    run.add_argument(
        "--verbose", action="store_true", help="show Dagster's and dbt's logs in the terminal"
    )
    run.add_argument(
        "--retrain",
        action="store_true",
        help="train a challenger even if a champion exists (promoted only through the gate)",
    )
    sub.add_parser("prepare", help="create DAGSTER_HOME and parse the dbt project (for the UI)")
    release = sub.add_parser(
        "release-brake", help="let a run date publish although the safety brake tripped"
    )
    release.add_argument("--run-date", required=True, help="YYYY-MM-DD")
    release.add_argument("--by", required=True, help="who releases it (recorded)")
    release.add_argument("--reason", required=True, help="why (recorded)")
    lookup = sub.add_parser(
        "pseudonym",
        help="map a pseudonym from report.html, the statements of reasons or "
        "networks.parquet back to the account id (authorised staff: needs the warehouse and "
        "the installation's key under the data dir)",
    )
    lookup.add_argument("pseudonyms", nargs="+", help="e.g. p-1a2b3c4d5e6f7a8b")
    args = parser.parse_args(argv)
    settings = settings or load_settings()
    if args.command == "pseudonym":
        return lookup_pseudonyms(settings, args.pseudonyms)
    if args.command == "release-brake":
        import duckdb

        from realpeople.defs.publish.rules import release_brake

        with duckdb.connect(settings.warehouse_path) as con:
            try:
                release_brake(
                    con, date.fromisoformat(args.run_date).isoformat(), args.by, args.reason
                )
            except ValueError as exc:
                print(f"Not released: {exc}", file=sys.stderr)
                return 2
        print(
            f"Safety brake released for {args.run_date} by {args.by}. Run `make run` again to publish."
        )
        return 0
    if args.command == "prepare":
        prepare_instance(settings)
        from realpeople.defs.features.project import ensure_manifest

        ensure_manifest()
        print(f"DAGSTER_HOME={settings.dagster_home}")
        return 0
    try:
        started = time.perf_counter()
        outcome = run_pipeline(settings, quiet=not args.verbose, retrain=args.retrain)
        print(summarise(settings, outcome["run_date"]))
        print(f"\nTotal {time.perf_counter() - started:.1f} s")
        if outcome["rejections"]:
            # Published what the good data supports, and exit non-zero so an operator looks.
            print(
                f"\nRealPeople run published {outcome['run_date']} from the deliveries that loaded, "
                f"but some input was rejected.\n{rejection_summary(outcome['rejections'])}",
                file=sys.stderr,
            )
            return 1
        return 0
    except StageFailed as exc:
        print(f"\nRealPeople run FAILED: {exc}", file=sys.stderr)
        _print_rejections(settings)
        return 1
    except Exception as exc:  # noqa: BLE001 (any other failure still exits non-zero, with the reason)
        from realpeople.defs.ingest.loader import DeliveryError

        kind = "bad delivery" if isinstance(exc, DeliveryError) else type(exc).__name__
        print(f"\nRealPeople run FAILED ({kind}): {exc}", file=sys.stderr)
        return 1
