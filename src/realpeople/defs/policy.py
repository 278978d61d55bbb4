"""The run policy: which dates get features, when a model trains, which date publishes.

Written once, as Dagster declarative automation (``AutomationCondition``s on the assets),
and followed by both roads that run the pipeline:

- ``make ui``: the daemon evaluates the conditions (the ``run_policy`` sensor, on the
  code server, because seven conditions below are Python that reads the warehouse and
  MLflow) and launches the runs; the delivery sensor loads new files.
- ``make run``: one tick of the delivery sensor, then the ``run_policy`` sensor ticked in
  the foreground until it asks for nothing, each requested run executed in process
  (``realpeople.cli``). ``scripts/daemon_check.py`` shows both roads end in the same state.

Nothing is judged while a delivery that landed is still loading, or a run holds the
warehouse: a backlog is loaded whole, then the run date is its newest delivery with rows.

The rules, per asset (a partition is a delivery date):

- **Features** (every dbt model) of a date are built when the date is the *run date* (the
  newest delivery with rows, contract 1.1) or a *catch-up snapshot* (an earlier date
  whose snapshot point-in-time training needs: ``defs/model/snapshots.py``) and its
  features were not built from what the warehouse and the dbt project hold now
  (``defs/features/builds.py``); also when an already built date's inputs changed (a
  re-sent delivery), and with the run date's re-publication when the champion changed.
- **The model** trains while no champion is registered, once every feature it reads is
  built (a first model as soon as there are reviews enough; too few: the run says how
  many are missing). Weekly retraining is a schedule (``weekly_training``).
- **Publication** (``account_scores`` and everything after it, one run) of the run date
  follows its features; while no champion exists and features are still to build, it
  waits for the first model. It runs again when the champion or its policy changes, when
  an already published date's inputs change (a late or re-sent delivery), and once after
  an operator releases the safety brake. Blocking checks gate it as in any run.

A failed run is not retried on every tick: a rule that depends on the state of the data
waits for new data after a failure (``execution_failed``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from dagster import (
    AssetKey,
    AssetSelection,
    AutomationCondition,
    AutomationResult,
    Definitions,
)

from realpeople.settings import Settings
from realpeople.warehouse import has_tables

MODEL_KEY = AssetKey("account_authenticity_model")
ACCOUNT_SCORES = AssetKey("account_scores")
# What one publication of a date materializes: the scores and everything downstream of
# them (account_scores is its root: every other asset here depends on it).
PUBLICATION_ASSETS = (
    ACCOUNT_SCORES,
    AssetKey("coordination_clusters"),
    AssetKey("review_requests"),
)
PUBLICATION_GROUP = "publish"
PUBLICATION = AssetSelection.assets(*PUBLICATION_ASSETS) | AssetSelection.groups(PUBLICATION_GROUP)


# What the run policy governs: every asset and check that has a condition (the raw
# assets have none: the delivery sensor loads them).
POLICY_TARGET = AssetSelection.all() | AssetSelection.all_asset_checks()

# The jobs whose whole-job runs publish a date (defs/jobs.py).
PUBLISHING_JOBS = ("publish_job", "daily_job")


@dataclass(frozen=True)
class PipelineDates:
    """What the warehouse and the landing zone say now: the run date (None before any
    delivery loaded rows) and the catch-up snapshot dates still to build."""

    run_date: date | None
    catch_up: tuple[date, ...] = ()
    features_current: bool = False  # the run date's features were built from what is there now
    brake_released_at: datetime | None = None  # a release of the brake no publication followed


def pipeline_dates(settings: Settings) -> PipelineDates | None:
    """The dates the policy acts on; None while it cannot judge them: the warehouse is
    absent, or a run holds it (DuckDB has one writer and no readers beside it), or a
    delivery that landed is not loaded yet (the run date is the newest delivery with rows
    once everything that landed is in: a backlog loading date by date builds nothing for
    each date on the way)."""
    import duckdb

    from realpeople.defs.features.builds import build_inputs, is_current
    from realpeople.defs.ingest.landing import pending_deliveries, survey_landing
    from realpeople.defs.ingest.loader import newest_delivery_with_rows, recorded_files
    from realpeople.defs.model.snapshots import snapshots_to_build
    from realpeople.defs.publish.rules import brake_release_awaiting_publication
    from realpeople.partitions import partition_range

    if not Path(settings.warehouse_path).exists():
        return None
    landing = survey_landing(Path(settings.landing_dir), *partition_range(settings))
    dates = sorted({d for days in landing.deliveries.values() for d in days})
    try:
        with duckdb.connect(settings.warehouse_path, read_only=True) as con:
            if not has_tables(con, "deliveries", schema="raw"):
                return PipelineDates(run_date=None)
            if pending_deliveries(landing, Path(settings.landing_dir), recorded_files(con)):
                return None
            newest = newest_delivery_with_rows(con, dates)
            if newest is None:
                return PipelineDates(run_date=None)
            catch_up = snapshots_to_build(con, dates[0], newest, settings.feature_window_days)
            current = is_current(con, newest.isoformat(), build_inputs(con, settings))
            released = brake_release_awaiting_publication(con, newest.isoformat())
    except duckdb.IOException:
        return None
    return PipelineDates(
        run_date=newest,
        catch_up=tuple(catch_up),
        features_current=current,
        brake_released_at=None if released is None else released.replace(tzinfo=UTC),
    )


def champion_version(settings: Settings) -> str | None:
    """The registered champion's scoring id: its version and the policy it acts with
    (``RegisteredModel.scoring_id``; None while there is none)."""
    from realpeople.ml.tracking import champion, configure

    configure(
        settings.mlflow_tracking_uri, Path(settings.mlflow_artifact_root), settings.model_name
    )
    found = champion(settings.model_name)
    return None if found is None else found.scoring_id


def needs_training(settings: Settings) -> str | None:
    """Why a model must be trained now, or None: no champion is registered."""
    if champion_version(settings) is None:
        return f"no champion of {settings.model_name} is registered"
    return None


@dataclass
class _Facts:
    """The facts of one evaluation tick, read once however many assets ask."""

    settings: Settings
    dates: PipelineDates | None = None
    dates_read: bool = False
    champion: str | None = None
    champion_read: bool = False
    scored_by: dict[str, str | None] = field(default_factory=dict)

    def pipeline_dates(self) -> PipelineDates | None:
        if not self.dates_read:
            self.dates, self.dates_read = pipeline_dates(self.settings), True
        return self.dates

    def champion_version(self) -> str | None:
        if not self.champion_read:
            self.champion, self.champion_read = champion_version(self.settings), True
        return self.champion


_TICK: dict[tuple[int, datetime], _Facts] = {}
_TICK_LOCK = threading.Lock()


def _facts(settings: Settings, evaluation_time: datetime) -> _Facts:
    """This tick's facts (a tick is one evaluation time; only the newest is kept)."""
    key = (id(settings), evaluation_time)
    with _TICK_LOCK:
        if key not in _TICK:
            _TICK.clear()
            _TICK[key] = _Facts(settings)
        return _TICK[key]


class _DateRule(AutomationCondition):
    """A condition true for the partitions whose date a policy fact names."""

    label = ""
    about = ""

    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    def name(self) -> str:
        return self.label

    @property
    def description(self) -> str:
        return self.about

    def dates(self, facts: _Facts, context) -> set[str]:
        raise NotImplementedError

    def evaluate(self, context):
        candidates = context.candidate_subset
        # (the subset's own partitions: the context names none for an asset check)
        if candidates.partitions_def is None or candidates.is_empty:
            return AutomationResult(context=context, true_subset=context.get_empty_subset())
        keys = self.dates(_facts(self.settings, context.evaluation_time), context)
        return AutomationResult(
            context=context, true_subset=candidates.compute_intersection_with_partition_keys(keys)
        )


class RunDate(_DateRule):
    label = "run_date"
    about = "the date is the run date: the newest delivery with rows"

    def dates(self, facts, context):
        found = facts.pipeline_dates()
        return {found.run_date.isoformat()} if found and found.run_date else set()


class FeaturesDue(_DateRule):
    label = "features_due"
    about = (
        "the run date, or a catch-up snapshot date, whose features were not built from "
        "what the warehouse and the dbt project hold now"
    )

    def dates(self, facts, context):
        found = facts.pipeline_dates()
        if not found or not found.run_date:
            return set()
        due = {d.isoformat() for d in found.catch_up}
        if not found.features_current:
            due.add(found.run_date.isoformat())
        return due


class ChampionChanged(_DateRule):
    label = "champion_changed"
    about = (
        "the run date was last scored by another model, or another policy, than today's champion's"
    )

    def dates(self, facts, context):
        from dagster import AssetRecordsFilter

        found = facts.pipeline_dates()
        if not found or not found.run_date:
            return set()
        day = found.run_date.isoformat()
        if day not in facts.scored_by:
            instance = context.asset_graph_view.instance
            records = instance.fetch_materializations(
                AssetRecordsFilter(asset_key=ACCOUNT_SCORES, asset_partitions=[day]), limit=1
            ).records
            if not records:
                return set()  # never scored: publishing it is the `missing` rule's business
            metadata = records[0].asset_materialization.metadata
            scored_by = metadata.get("scored_by")
            facts.scored_by[day] = None if scored_by is None else str(scored_by.value)
        scored_by = facts.scored_by[day]
        return {day} if (facts.champion_version() or None) != (scored_by or None) else set()


class BrakeReleased(_DateRule):
    label = "brake_released"
    about = (
        "an operator released the safety brake for the run date and no publication of it "
        "was tried since"
    )

    def dates(self, facts, context):
        from dagster import RunsFilter

        found = facts.pipeline_dates()
        if not found or not found.run_date or found.brake_released_at is None:
            return set()
        day = found.run_date.isoformat()
        runs = context.asset_graph_view.instance.get_runs(
            filters=RunsFilter(
                tags={"dagster/partition": day}, created_after=found.brake_released_at
            )
        )
        tried = any(
            ACCOUNT_SCORES in (run.asset_selection or ())
            or (run.asset_selection is None and run.job_name in PUBLISHING_JOBS)
            for run in runs
        )
        return set() if tried else {day}


class _Flag(AutomationCondition):
    """A condition on a policy fact that is true or false for the whole (unpartitioned)
    asset."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def holds(self, facts: _Facts) -> bool:
        raise NotImplementedError

    def evaluate(self, context):
        facts = _facts(self.settings, context.evaluation_time)
        return AutomationResult(
            context=context,
            true_subset=(
                context.candidate_subset if self.holds(facts) else context.get_empty_subset()
            ),
        )


class FeaturesPending(_Flag):
    """Features of the run date or of a catch-up snapshot are still to be built
    (:class:`FeaturesDue`): a first model waits for them, and so does a publication that
    such a model should make."""

    @property
    def name(self) -> str:
        return "features_pending"

    @property
    def description(self) -> str:
        return "features of the run date or of a catch-up snapshot are still to be built"

    def holds(self, facts):
        found = facts.pipeline_dates()
        if found is None:
            return True  # cannot judge now: wait as if they were
        return bool(found.run_date and (found.catch_up or not found.features_current))


class DeliveriesLoaded(_Flag):
    """The policy can judge the dates now: every delivery that landed is loaded and no
    run holds the warehouse (:func:`pipeline_dates`)."""

    @property
    def name(self) -> str:
        return "deliveries_loaded"

    @property
    def description(self) -> str:
        return "every delivery that landed is loaded, and the warehouse can be read"

    def holds(self, facts):
        return facts.pipeline_dates() is not None


class NoChampion(_Flag):
    """True while no champion model is registered."""

    @property
    def name(self) -> str:
        return "no_champion"

    @property
    def description(self) -> str:
        return "no champion model is registered"

    def holds(self, facts):
        return facts.champion_version() is None


@dataclass(frozen=True)
class RunPolicy:
    """The conditions, one per role (see the module)."""

    features: AutomationCondition
    model: AutomationCondition
    publication: AutomationCondition
    follows_publication: AutomationCondition


def run_policy(settings: Settings) -> RunPolicy:
    """The policy's conditions for a deployment's settings."""
    a = AutomationCondition
    settled = (
        DeliveriesLoaded(settings) & ~a.any_deps_in_progress() & ~a.in_progress()
    ).with_label("the deliveries are in, and nothing it needs is running")
    deps_updated = a.any_deps_updated().since_last_handled()
    not_failed = (~a.execution_failed()).with_label("its last run did not fail")
    run_date = RunDate(settings)
    # Not retried after a failed run (the daemon ticks every 30 s): the next load retries.
    changed = ChampionChanged(settings) & not_failed
    inputs_changed = (~a.missing() & deps_updated).with_label(
        "built before, and what it reads changed"
    )
    features = settled & (
        (FeaturesDue(settings) & (not_failed | deps_updated))
        | inputs_changed
        | (run_date & changed)
    )
    pending = FeaturesPending(settings)
    no_champion = NoChampion(settings)
    # Once the features it reads are built (all of them: the run date's and the catch-up
    # snapshots), not beside them: the daemon would start both at once.
    features_built = a.any_deps_match(a.newly_updated()).since_last_handled()
    model = settled & no_champion & ~pending & features_built
    model_pending = a.any_deps_match(a.will_be_requested() | a.in_progress()).allow(
        AssetSelection.assets(MODEL_KEY)
    )
    publish_updated = a.any_deps_updated().ignore(AssetSelection.assets(MODEL_KEY))
    publication = (
        settled
        & ~model_pending.with_label("no training requested or running")
        # A first model is to train on features still being built: publish after it.
        & ~(no_champion & pending).with_label("no first model due")
        & (
            (run_date & (publish_updated.since_last_handled() | (a.missing() & not_failed)))
            | (~a.missing() & publish_updated.since_last_handled()).with_label(
                "published before, and what it reads changed"
            )
            | (run_date & changed)
            | BrakeReleased(settings)
        )
    )
    follows = (
        a.any_deps_match(a.will_be_requested())
        .allow(PUBLICATION)
        .with_label("its date's publication runs")
    )
    return RunPolicy(
        features=features.with_label("features of a date the pipeline needs"),
        model=model.with_label("train while no champion is registered"),
        publication=publication.with_label("publish the run date"),
        follows_publication=follows,
    )


def apply_run_policy(defs: Definitions, policy: RunPolicy) -> Definitions:
    """``defs`` with each asset's condition set from ``policy`` (by the asset's role)."""

    def condition_for(spec):
        if spec.group_name == "features":
            return policy.features
        if spec.key == MODEL_KEY:
            return policy.model
        if spec.key == ACCOUNT_SCORES:
            return policy.publication
        if spec.key in PUBLICATION_ASSETS or spec.group_name == PUBLICATION_GROUP:
            return policy.follows_publication
        return spec.automation_condition

    return defs.map_resolved_asset_specs(
        func=lambda spec: spec.replace_attributes(automation_condition=condition_for(spec))
    )
