"""Every path, URI and tunable of RealPeople: declared once, read once, from the environment.

``SETTINGS`` below is the one declaration: each setting's environment variable, its
default and what it means. :func:`load_settings` reads them (nothing reads the
environment at import time); the README's configuration table is checked against this
declaration by a test. dbt gets its variables from :meth:`Settings.dbt_env`, which the
dbt resource hands to each dbt process it starts (``realpeople.resources``). The defaults
written in ``profiles.yml`` serve only ``dbt parse`` when the definitions load (the
manifest describes the models, not a warehouse) and the SQL lint; no build uses them.

Settings are read from the deployment's environment only. In Dagster they are a plain
resource value (not a configurable resource), so no launchpad run config can change
them: the brake, the thresholds and the tracking URI guard safety.

Nothing here imports Dagster: the simulator, ``realpeople.ml`` and scripts read settings too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

# The package lives in src/realpeople; the dbt project beside src/ (an editable install).
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# Engines dbt can build the features on; each is a target of that name in profiles.yml.
ENGINES = ("duckdb", "spark")
TRAINING_BACKENDS = ("local", "dask")


@dataclass(frozen=True)
class Setting:
    """One setting: where it is read from, its default, and what it means.

    ``default`` may name another setting in braces (``{data_dir}/warehouse.duckdb``): a
    path under the data dir moves with it. ``choices``: the allowed values (default:
    the first). ``path``: resolved to an absolute path.
    """

    env: str
    default: str
    meaning: str
    choices: tuple[str, ...] = ()
    path: bool = False


SETTINGS: dict[str, Setting] = {
    "landing_dir": Setting(
        "REALPEOPLE_LANDING_DIR",
        "data/landing",
        "where deliveries land (`<table>/dt=YYYY-MM-DD/`)",
        path=True,
    ),
    "data_dir": Setting(
        "REALPEOPLE_DATA_DIR",
        "data",
        "everything the pipeline writes: warehouse, MLflow, Dagster, published files",
        path=True,
    ),
    "warehouse_path": Setting(
        "REALPEOPLE_WAREHOUSE_PATH",
        "{data_dir}/warehouse.duckdb",
        "the DuckDB warehouse",
        path=True,
    ),
    "engine": Setting(
        "REALPEOPLE_ENGINE",
        "duckdb",
        "where dbt builds the features: `spark` builds them with dbt on Spark (the `spark` "
        "target; [docs/scaling.md](docs/scaling.md))",
        choices=ENGINES,
    ),
    "raw_parquet_dir": Setting(
        "REALPEOPLE_RAW_PARQUET_DIR",
        "{data_dir}/raw_parquet",
        "the raw layer as Parquet, written when the engine is spark",
        path=True,
    ),
    "spark_dir": Setting(
        "REALPEOPLE_SPARK_DIR",
        "{data_dir}/spark",
        "local Spark's warehouse, metastore and spill",
        path=True,
    ),
    "spark_schema": Setting(
        "REALPEOPLE_SPARK_SCHEMA", "realpeople", "the Spark database dbt builds into"
    ),
    "duckdb_memory_limit": Setting(
        "REALPEOPLE_DUCKDB_MEMORY_LIMIT", "4GB", "DuckDB's memory cap; it spills to disk past it"
    ),
    "duckdb_threads": Setting("REALPEOPLE_DUCKDB_THREADS", "2", "DuckDB threads"),
    "scoring_threads": Setting(
        "REALPEOPLE_SCORING_THREADS",
        "2",
        "LightGBM threads when scoring every account and explaining the actioned ones "
        "(training keeps one)",
    ),
    "mlflow_tracking_uri": Setting(
        "MLFLOW_TRACKING_URI",
        "sqlite:///{data_dir}/mlflow/mlflow.db",
        "MLflow tracking and registry store",
    ),
    "mlflow_artifact_root": Setting(
        "REALPEOPLE_MLFLOW_ARTIFACT_ROOT",
        "{data_dir}/mlflow/artifacts",
        "MLflow artifacts (models, evaluation plots)",
        path=True,
    ),
    "dagster_home": Setting(
        "DAGSTER_HOME",
        "{data_dir}/dagster_home",
        "Dagster's instance: runs, events, schedules",
        path=True,
    ),
    "first_delivery_date": Setting(
        "REALPEOPLE_FIRST_DELIVERY_DATE",
        "2024-01-01",
        "first delivery date taken; an older `dt=` folder is refused",
    ),
    "feature_window_days": Setting(
        "REALPEOPLE_FEATURE_WINDOW_DAYS", "28", "trailing window of the features"
    ),
    "platform_utc_offset_hours": Setting(
        "REALPEOPLE_PLATFORM_UTC_OFFSET_HOURS",
        "8",
        "the platform's home time zone (night, hour of day)",
    ),
    "model_name": Setting(
        "REALPEOPLE_MODEL_NAME", "account_authenticity", "registered model name in MLflow"
    ),
    "terminate_precision": Setting(
        "REALPEOPLE_TERMINATE_PRECISION", "0.99", "held-out precision the terminate tier must keep"
    ),
    "label_noise": Setting(
        "REALPEOPLE_LABEL_NOISE",
        "0.02",
        "share of review verdicts assumed wrong (see `src/realpeople/ml/policy.py`)",
    ),
    "terminate_bar_confidence": Setting(
        "REALPEOPLE_TERMINATE_BAR_CONFIDENCE",
        "0",
        "above 0, the terminate bar acts where it keeps its precision target in this share of "
        "bootstrap resamples of the verdicts (the lowest bar of the one sample is optimistic "
        "with a few dozen of them; 0.8 measured: safer, and no automatic termination where "
        "few `ai_managed` verdicts score high); 0 acts on the sample's bar "
        "([models.md](docs/models.md#training-seeds-what-one-run-hides-2026-11-30-stop-28))",
    ),
    "review_override_days": Setting(
        "REALPEOPLE_REVIEW_OVERRIDE_DAYS",
        "28",
        "a moderator verdict this recent overrides the model",
    ),
    "second_review_below": Setting(
        "REALPEOPLE_SECOND_REVIEW_BELOW",
        "0.2",
        "a verdict the model flatly contradicts goes to a second review: `ai_managed` when "
        "P(ai_managed) is below it, `ai_assisted` when P(ai_assisted) + P(ai_managed) is",
    ),
    "terminate_guard_per_10k": Setting(
        "REALPEOPLE_TERMINATE_GUARD_PER_10K",
        "10",
        "terminate guard: while the terminate bar would terminate more people of the random audit "
        "(on the run date's features) than flipped verdicts plus this many per 10,000 explain "
        "(one-sided test, 5 %), the model's terminations go to the review queue "
        "([models.md](docs/models.md#the-terminate-guard-why-seeds-8-and-9-terminated-people))",
    ),
    "warn_guard_per_10k": Setting(
        "REALPEOPLE_WARN_GUARD_PER_10K",
        "10",
        "warn guard: the warn bar acts at the lowest score at which the people of the random "
        "audit it would warn (on the run date's scores) are no more than flipped verdicts plus "
        "this many per 10,000 explain (one-sided test, 5 %); warnings below it are withheld "
        "([models.md](docs/models.md#the-warn-guard-people-warned-on-an-unseen-world))",
    ),
    "ring_evidence_min_size": Setting(
        "REALPEOPLE_RING_EVIDENCE_MIN_SIZE",
        "3",
        "ring evidence: an account the model is unsure of (its review band) that belongs to a "
        "coordination ring of at least this many accounts, tied to two of its members, is "
        "terminated on that evidence, unless a reviewed person sits in such a ring with a score "
        "that high; 0 turns it off "
        "([models.md](docs/models.md#ring-evidence-the-uncertain-band-and-the-rings))",
    ),
    "ring_evidence_min_score": Setting(
        "REALPEOPLE_RING_EVIDENCE_MIN_SCORE",
        "0.3",
        "ring evidence also reaches ring members the model scores below its review band, down "
        "to this `score_ai_managed` (not those it warns); a reviewed person in the ring at "
        "or above it stands the ring down "
        "([models.md](docs/models.md#ring-evidence-the-uncertain-band-and-the-rings))",
    ),
    "review_requests_per_day": Setting(
        "REALPEOPLE_REVIEW_REQUESTS",
        "25",
        "accounts per run date the model asks moderators to review (least sure first, one per "
        "unreviewed coordination ring; table `review_requests`)",
    ),
    "audit_requests_per_day": Setting(
        "REALPEOPLE_AUDIT_REQUESTS",
        "20",
        "random-audit requests per run date (kept apart: unbiased prevalence and precision)",
    ),
    "brake_factor": Setting(
        "REALPEOPLE_BRAKE_FACTOR",
        "3",
        "safety brake: terminations above this times the trailing median of published runs",
    ),
    "brake_history_runs": Setting(
        "REALPEOPLE_BRAKE_HISTORY_RUNS", "7", "safety brake: published runs in that median"
    ),
    "brake_min_history": Setting(
        "REALPEOPLE_BRAKE_MIN_HISTORY",
        "3",
        "safety brake: published runs needed before the surge rule applies",
    ),
    "brake_min_terminate": Setting(
        "REALPEOPLE_BRAKE_MIN_TERMINATE",
        "20",
        "safety brake: never brake below this many terminations",
    ),
    "brake_psi": Setting(
        "REALPEOPLE_BRAKE_PSI",
        "0.25",
        "safety brake: the score distribution's shift (PSI) it tolerates",
    ),
    "precision_min_audits": Setting(
        "REALPEOPLE_PRECISION_MIN_AUDITS",
        "30",
        "later audits an action needs before the report states its measured precision",
    ),
    "publish_deadline_hour": Setting(
        "REALPEOPLE_PUBLISH_DEADLINE_HOUR",
        "9",
        "hour (UTC) by which each day must be published: later, `published_snapshot` is "
        "marked stale in the Dagster UI (its freshness policy)",
    ),
    "training_backend": Setting(
        "REALPEOPLE_TRAINING_BACKEND",
        "local",
        "`dask`: the model's final fit (`lightgbm.dask`) and the scoring run on a Dask "
        "cluster ([docs/scaling.md](docs/scaling.md)); LightGBM's Dask "
        "network listens on every interface, so this is opt-in",
        choices=TRAINING_BACKENDS,
    ),
    "dask_scheduler": Setting(
        "REALPEOPLE_DASK_SCHEDULER",
        "",
        "with `dask`: empty for an in-process cluster on 127.0.0.1, else e.g. tcp://host:8786",
    ),
}


@dataclass(frozen=True)
class Settings:
    """Where RealPeople reads and writes, and how hard it works. Build it with
    :func:`load_settings`; the fields are ``SETTINGS``' keys, typed."""

    landing_dir: str
    data_dir: str
    warehouse_path: str
    engine: str
    raw_parquet_dir: str
    spark_dir: str
    spark_schema: str
    duckdb_memory_limit: str
    duckdb_threads: int
    scoring_threads: int
    mlflow_tracking_uri: str
    mlflow_artifact_root: str
    dagster_home: str
    first_delivery_date: str
    feature_window_days: int
    platform_utc_offset_hours: int
    model_name: str
    terminate_precision: float
    label_noise: float
    terminate_bar_confidence: float
    review_override_days: int
    second_review_below: float
    terminate_guard_per_10k: float
    warn_guard_per_10k: float
    ring_evidence_min_size: int
    ring_evidence_min_score: float
    review_requests_per_day: int
    audit_requests_per_day: int
    brake_factor: float
    brake_history_runs: int
    brake_min_history: int
    brake_min_terminate: int
    brake_psi: float
    precision_min_audits: int
    publish_deadline_hour: int
    training_backend: str
    dask_scheduler: str

    @property
    def published_dir(self) -> Path:
        """Published snapshots, one folder per run date (the contract's output)."""
        return Path(self.data_dir) / "published"

    @property
    def duckdb_temp_dir(self) -> Path:
        """Where DuckDB spills when a query outgrows ``duckdb_memory_limit``."""
        return Path(self.data_dir) / "duckdb_tmp"

    @property
    def reports_dir(self) -> Path:
        """Validation reports (GX results) and other operator-facing files."""
        return Path(self.data_dir) / "reports"

    @property
    def gx_dir(self) -> Path:
        """Great Expectations' project root: ``gx/`` under it holds the Data Context, the
        Checkpoints, every validation result and Data Docs
        (``gx/uncommitted/data_docs/local_site/index.html``)."""
        return self.reports_dir

    @property
    def dbt_target(self) -> str:
        """The profiles.yml target dbt builds on: the engine's name."""
        return self.engine

    def spark_table_dir(self, table: str) -> Path:
        """Where the local Spark (``method: session``) keeps a managed table's files."""
        return Path(self.spark_dir) / "warehouse" / f"{self.spark_schema}.db" / table

    def duckdb_config(self) -> dict[str, str | int]:
        """Connection settings for every DuckDB connection the pipeline opens."""
        return {
            "memory_limit": self.duckdb_memory_limit,
            "threads": self.duckdb_threads,
            "temp_directory": str(self.duckdb_temp_dir),
        }

    def dbt_env(self) -> dict[str, str]:
        """The variables dbt's ``profiles.yml`` and models read, as absolute values (the dbt
        resource starts dbt with them; the run date comes per build, :meth:`dbt_run_env`)."""
        return {
            "REALPEOPLE_DATA_DIR": self.data_dir,
            "REALPEOPLE_LANDING_DIR": self.landing_dir,
            "REALPEOPLE_WAREHOUSE_PATH": self.warehouse_path,
            "REALPEOPLE_RAW_PARQUET_DIR": self.raw_parquet_dir,
            "REALPEOPLE_SPARK_DIR": self.spark_dir,
            "REALPEOPLE_SPARK_SCHEMA": self.spark_schema,
            "REALPEOPLE_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "REALPEOPLE_DUCKDB_THREADS": str(self.duckdb_threads),
            "REALPEOPLE_DUCKDB_TEMP_DIR": str(self.duckdb_temp_dir),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def subprocess_env(self) -> dict[str, str]:
        """What a child process of the pipeline (dbt by hand, a benchmark) needs: dbt's
        variables, MLflow's tracking URI and the Dagster instance."""
        return {
            **self.dbt_env(),
            "MLFLOW_TRACKING_URI": self.mlflow_tracking_uri,
            "DAGSTER_HOME": self.dagster_home,
        }

    def dbt_vars(self) -> dict[str, str | int]:
        """dbt ``--vars``: only what stays the same from one run date to the next. The run
        date itself goes in :meth:`dbt_run_env`: dbt re-parses the whole project whenever
        the vars change, so a run date among them made every build re-parse."""
        from realpeople.contract import LATE_EVENT_DAYS

        return {
            "feature_window_days": self.feature_window_days,
            "platform_utc_offset_hours": self.platform_utc_offset_hours,
            "late_event_days": LATE_EVENT_DAYS,
        }

    @staticmethod
    def dbt_run_env(run_date: str) -> dict[str, str]:
        """The environment that tells a dbt build its run date (``get_run_date()`` in
        dbt_project/macros/run_date.sql reads it when executing, never when parsing)."""
        return {"REALPEOPLE_RUN_DATE": run_date}

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's artifacts of this data dir's builds (one folder per invocation, the last
        few kept) and its parse state, ``partial_parse.msgpack``: dbt's parse depends on
        the profile, which names this data dir's warehouse, so the state is kept per data
        dir, and every build after the first reuses it."""
        return Path(self.data_dir) / "dbt_target"


def settings_table() -> str:
    """``SETTINGS`` as the Markdown table the README shows (a test keeps them equal)."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for setting in SETTINGS.values():
        default = setting.default.replace("{data_dir}", "<data>")
        default = f"`{default}`" if default else "empty"
        choices = (
            f" (one of {', '.join(f'`{c}`' for c in setting.choices)})" if setting.choices else ""
        )
        rows.append(f"| `{setting.env}` | {default} | {setting.meaning}{choices} |")
    return "\n".join(rows) + "\n"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every setting of ``SETTINGS`` from ``env`` (default: the process environment).

    An unset or empty variable takes the declared default; a value of the wrong type or
    outside its choices fails here, naming the variable."""
    env = os.environ if env is None else env
    raw: dict[str, str] = {}
    for name, setting in SETTINGS.items():  # declared order: data_dir before what derives from it
        value = env.get(setting.env) or setting.default.format(**raw)
        if setting.choices and value not in setting.choices:
            raise ValueError(
                f"{setting.env}={value!r}: expected one of {', '.join(setting.choices)}"
            )
        if setting.path and not value.startswith("sqlite:"):
            value = str(Path(value).expanduser().resolve())
        raw[name] = value
    typed = {}
    for field in fields(Settings):
        kind = {"int": int, "float": float, "str": str}[field.type]
        try:
            typed[field.name] = kind(raw[field.name])
        except ValueError:
            raise ValueError(
                f"{SETTINGS[field.name].env}={raw[field.name]!r}: expected {field.type}"
            ) from None
    return Settings(**typed)
