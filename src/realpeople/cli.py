"""``python -m realpeople run``: the whole pipeline on the landing zone, from a shell.

The same policy as the daemon behind ``make ui``, in the foreground: one tick of the
delivery sensor loads every delivery not yet loaded (or changed since), then the
daemon's ``run_policy`` sensor, which evaluates the automation conditions of
``defs/policy.py``, is ticked again and again, and each run it requests is executed in
process, until it requests nothing more. On a
first run that means: features for the run date (the newest delivery with rows) and the
catch-up snapshots training needs, a first model, then the run date's publication; on a
daily run, the new date's features and publication; on a re-run with nothing new,
nothing. ``--retrain`` trains a challenger too (promoted only through the gate). Runs go
through the Dagster instance under ``DAGSTER_HOME``, so they show in the UI exactly as
if launched there. Exits non-zero, with the stage and the reason, if any stage fails.
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


@contextlib.contextmanager
def backlog_held_open(settings: Settings, deliveries: int):
    """The warehouse held open in this process while a backlog of deliveries loads, one
    ingest run after another (``make run``), and closed once after the last.

    DuckDB checkpoints a database file when its last connection in the process closes:
    about 1 s after each events delivery at 20k accounts, whatever the delivery's size,
    as much as the load itself (docs/benchmarks.md, stop 32). With this connection open,
    each run's steps open and close theirs (same configuration: the warehouse resource)
    without a checkpoint, and the backlog is checkpointed once, on leaving; every commit
    is durable as before (DuckDB's write-ahead log). Yields a dict whose ``seconds`` is
    that last close, filled in on leaving. Not around dbt: its process needs the file.
    With fewer than two ``deliveries`` there is nothing to save: nothing is opened.
    """
    from realpeople.resources import warehouse_resource

    timing = {"seconds": 0.0}
    if deliveries < 2:
        yield timing
        return
    with warehouse_resource(settings).get_connection() as con:
        try:
            yield timing
        finally:
            # Closed here, failed run or not (the resource's own close is then a no-op).
            started = time.perf_counter()
            con.close()
            timing["seconds"] = time.perf_counter() - started


def survey(settings: Settings):
    """What the landing zone holds: the deliveries in the accepted date range, and every
    other entry with why it is refused (never raises for a bad folder)."""
    from realpeople.defs.ingest.landing import survey_landing
    from realpeople.partitions import partition_range

    return survey_landing(Path(settings.landing_dir), *partition_range(settings))


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
    """Execute ``job_name`` (or the part of it that ``asset_selection`` names, with those
    assets' checks) in this process."""
    from realpeople.partitions import add_delivery_dates

    started = time.perf_counter()
    job = defs.resolve_job_def(job_name)
    if partition_key is not None:
        add_delivery_dates(instance, [partition_key])  # a no-op once the date is known
    if asset_selection is not None:
        # Every check of the selected assets runs with them (each is a check of what
        # its asset just wrote).
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


# How many rounds of the run policy one `make run` follows at most: a first run needs
# three (features and a first model, then the publication, then nothing more to do).
MAX_POLICY_TICKS = 8

# The stage (and so the job) of each asset group.
STAGE_OF_GROUP = {"features": "features_job", "model": "publish_job", "publish": "publish_job"}


def policy_cursor_path(settings: Settings) -> Path:
    """Where ``make run`` keeps the ``run_policy`` sensor's cursor between its runs (beside
    the Dagster instance whose event log it refers to; the daemon keeps its own)."""
    return Path(settings.dagster_home) / "run_policy_cursor"


def _save_cursor(path: Path, cursor: str | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(cursor or "")
    tmp.replace(path)


def delivery_tick(defs, instance, settings: Settings) -> list:
    """One tick of the delivery sensor (the daemon's own function): the ingest runs it
    requests, with their dates made partitions."""
    from dagster import SensorResult, build_sensor_context

    sensor = defs.resolve_sensor_def("new_deliveries_sensor")
    with build_sensor_context(instance=instance, resources={"settings": settings}) as context:
        outcome = sensor(context)
    if not isinstance(outcome, SensorResult):
        return []
    for request in outcome.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return list(outcome.run_requests or [])


def plan_runs(defs, requested) -> list[tuple[str, str | None, list]]:
    """The runs for what one policy evaluation requested, in the order they execute:
    per date (oldest first, so dbt's views are left as of the newest), its features, then
    its publication; the model (not partitioned) after every date's features. Each run is
    (job name, partition, asset keys)."""
    graph = defs.resolve_asset_graph()
    by_run: dict[tuple[str, str | None], list] = {}
    for key, partitions in requested.items():
        node = graph.get(key)
        job = "training_job" if node.partitions_def is None else STAGE_OF_GROUP[node.group_name]
        for partition in partitions:
            by_run.setdefault((job, partition), []).append(key)
    stage_order = {"features_job": 0, "publish_job": 1}
    dated = sorted((k for k in by_run if k[1] is not None), key=lambda k: (k[1], stage_order[k[0]]))
    training = [k for k in by_run if k[1] is None]
    if training:
        # Every date's features, then the model (the policy requests no publication while a
        # training is requested; should one come, it runs after the model).
        ordered = [k for k in dated if k[0] == "features_job"] + training
        ordered += [k for k in dated if k[0] != "features_job"]
    else:
        # Each date's features then its publication: the publication reads dbt's views,
        # which are left as of the date built last.
        ordered = dated
    return [(job, partition, by_run[(job, partition)]) for job, partition in ordered]


def policy_tick(defs, instance, cursor: str | None):
    """One evaluation of the run policy by the daemon's own sensor (``run_policy``), in this
    process: its ``SensorResult`` (run requests and the next cursor)."""
    from dagster import build_sensor_context

    sensor = defs.resolve_sensor_def("run_policy")
    with build_sensor_context(
        instance=instance, cursor=cursor, repository_def=defs.get_repository_def()
    ) as context:
        return sensor(context)


def requested_by(run_requests) -> dict:
    """What the policy's run requests ask for: asset key -> its partitions (``[None]`` for
    an unpartitioned asset). The assets' checks run with them (:func:`_execute`)."""
    requested: dict = {}
    for request in run_requests:
        for key in request.asset_selection:
            requested.setdefault(key, []).append(request.partition_key)
    return {key: sorted(set(days), key=str) for key, days in requested.items()}


def follow_policy(defs, instance, settings: Settings, log_dir, timings: dict) -> list[tuple]:
    """Tick the run policy (the daemon's ``run_policy`` sensor) and execute what it
    requests, until it requests nothing; returns the (job, partition) of every run."""
    cursor_path = policy_cursor_path(settings)
    executed = []
    for _ in range(MAX_POLICY_TICKS):
        tick = policy_tick(
            defs, instance, cursor_path.read_text() if cursor_path.exists() else None
        )
        _save_cursor(cursor_path, tick.cursor)
        runs = plan_runs(defs, requested_by(tick.run_requests or []))
        if not runs:
            return executed
        for job, partition, assets in runs:
            result, seconds = _execute(
                defs, job, instance, partition, asset_selection=assets, log_dir=log_dir
            )
            stage = {"features_job": "features", "training_job": "training"}.get(job, "publish")
            timings[stage] = timings.get(stage, 0.0) + seconds
            if job == "publish_job" and partition is not None:
                require_published(result, partition)
            executed.append((job, partition))
    raise StageFailed(
        f"the run policy still requested runs after {MAX_POLICY_TICKS} rounds "
        f"(last: {', '.join(f'{j} [{p}]' for j, p in executed[-3:])}): a bug to report"
    )


def run_pipeline(settings: Settings, quiet: bool = True, retrain: bool = False) -> dict:
    """The whole pipeline, by the run policy; returns per-stage seconds and the run date.

    ``quiet``: stage logs go to files under ``<data>/logs`` instead of the terminal.
    """
    instance = prepare_instance(settings)
    from realpeople.definitions import build_definitions
    from realpeople.defs.ingest.loader import ledger_rejections, record_landing_survey
    from realpeople.defs.policy import pipeline_dates

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
    timings: dict[str, float] = {"ingest": 0.0, "features": 0.0, "publish": 0.0}
    log_dir = Path(settings.data_dir) / "logs" if quiet else None

    Path(settings.warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    with _ledger(settings, read_only=False) as con:
        record_landing_survey(con, landing)
    if not policy_cursor_path(settings).exists():
        # The policy's "since its inputs changed" rules compare with the previous
        # evaluation: the first one is taken before anything loads.
        _save_cursor(policy_cursor_path(settings), policy_tick(defs, instance, None).cursor)
    ingest = delivery_tick(defs, instance, settings)
    print(
        f"RealPeople: {len(all_dates)} delivery dates in {settings.landing_dir}; "
        f"{len(ingest)} to load; {len(landing.refused)} other entries refused"
    )
    with backlog_held_open(settings, len(ingest)) as checkpoint:
        for n, request in enumerate(ingest, start=1):
            tables = ", ".join(key.path[-1] for key in request.asset_selection)
            print(f"  delivery {n}/{len(ingest)}: {request.partition_key} ({tables})", flush=True)
            _, seconds = _execute(
                defs,
                "ingest_job",
                instance,
                request.partition_key,
                asset_selection=request.asset_selection,
                log_dir=log_dir,
            )
            timings["ingest"] += seconds
    if checkpoint["seconds"]:
        print(f"  {'warehouse checkpoint':<34} ok  {checkpoint['seconds']:6.1f} s", flush=True)
    timings["ingest"] += checkpoint["seconds"]
    dates = pipeline_dates(settings)
    with _ledger(settings) as con:
        rejections = ledger_rejections(con)
    if dates is None or dates.run_date is None:
        raise StageFailed(
            "no delivery loaded any row (every file empty or rejected): nothing to publish; "
            + "; ".join(f"{path}: {reason}" for _, path, reason in rejections[:5]),
            reason="no_rows",
        )
    # The newest delivery that holds rows; an empty dt= folder does not move it.
    run_date = dates.run_date.isoformat()
    print(f"  run date {run_date} (newest delivery with rows)")
    executed = follow_policy(defs, instance, settings, log_dir, timings)
    if retrain:
        _, timings["training"] = _execute(defs, "training_job", instance, log_dir=log_dir)
        # A promoted challenger is a new champion: the policy publishes the run date again.
        executed += follow_policy(defs, instance, settings, log_dir, timings)
    if not any(job == "publish_job" and day == run_date for job, day in executed):
        if not _published(instance, run_date):
            raise StageFailed(
                f"the run policy did not publish {run_date}, and it was never published "
                "(see the run_policy evaluations in the Dagster UI): a bug to report"
            )
        print(f"  {'run date ' + run_date:<34} up to date (nothing it reads changed)")
    built = {day for job, day in executed if job == "features_job"}
    return {
        "run_date": run_date,
        "timings": timings,
        "rejections": rejections,
        "features_current": [] if run_date in built else [run_date],
        "runs": executed,
    }


def _published(instance, run_date: str) -> bool:
    """Whether ``published_snapshot`` was ever materialized for ``run_date``."""
    from dagster import AssetKey, AssetRecordsFilter

    return bool(
        instance.fetch_materializations(
            AssetRecordsFilter(
                asset_key=AssetKey("published_snapshot"), asset_partitions=[run_date]
            ),
            limit=1,
        ).records
    )


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
    if pd.notna(ring_people) and ring_people > 0:
        # A ring holding a reviewed person stands down; people in two rings or more stop
        # ring evidence for the day (docs/models.md).
        lines.append(
            f"  ring evidence stood down where {int(ring_people)} reviewed person(s) sit in "
            "a coordination ring the model is unsure of"
            + ("" if pd.notna(on_rings) and on_rings > 0 else " (no ring acted)")
        )
    if not metrics.get("model_acting", 1):
        lines += ["", no_model_sentence(metrics)]
    if metrics.get("terminate_guard_tripped", 0) == 1:
        lines += ["", guard_sentence(metrics)]
    if (metrics.get("warnings_withheld") or 0) > 0:
        lines += ["", warn_guard_sentence(metrics)]
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
                + (
                    f"; the lowest precise cut, {model.policy.terminate_threshold_lowest:.3f}, "
                    f"rested on its {model.policy.terminate_set_aside} lowest `ai_managed` "
                    "verdict(s), set aside as possibly wrong"
                    if model.policy.terminate_set_aside
                    else ""
                )
                + (
                    f"; {model.policy.terminate_others_set_aside} highest other verdict(s) set "
                    "aside as possibly flipped automation"
                    if model.policy.terminate_others_set_aside
                    else ""
                )
                + (
                    f"; raised from {model.policy.terminate_threshold_sample:.3f}, the bar of "
                    "this one sample of verdicts, to hold in "
                    f"{model.policy.terminate_bar_confidence:.0%} of its resamples"
                    if model.policy.terminate_threshold
                    > model.policy.terminate_threshold_sample
                    >= 0
                    else ""
                )
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


def warn_guard_sentence(metrics) -> str:
    """The run summary's line when the warn guard raised the warn bar."""
    return (
        f"Warn guard raised the warn bar from {metrics.get('warn_and_limit_policy_threshold', 0):.3f} "
        f"to {metrics.get('warn_and_limit_threshold', 0):.3f}: the policy's bar would warn "
        f"{int(metrics.get('warn_guard_people_flagged', 0))} people of the random audit on "
        f"today's scores, beyond chance; {int(metrics.get('warnings_withheld', 0)):,} warnings "
        f"withheld (REALPEOPLE_WARN_GUARD_PER_10K, docs/models.md)"
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
