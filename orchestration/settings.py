"""Every path, URI and tunable of RealPeople, read once from the environment.

This is the one home of configuration. dbt's ``profiles.yml`` reads the same
variables (with the same defaults) through :meth:`Settings.subprocess_env`, which the
dbt resource exports before it starts dbt.

| variable | default |
| --- | --- |
| REALPEOPLE_LANDING_DIR | data/landing |
| REALPEOPLE_DATA_DIR | data |
| MLFLOW_TRACKING_URI | sqlite:///<data dir>/mlflow/mlflow.db |
| DAGSTER_HOME | <data dir>/dagster_home |
| REALPEOPLE_WAREHOUSE_PATH | <data dir>/warehouse.duckdb |
| REALPEOPLE_ENGINE | duckdb (or spark: dbt builds the features on Spark, the dbt target of that name) |
| REALPEOPLE_RAW_PARQUET_DIR | <data dir>/raw_parquet (the raw layer as Parquet, written when the engine is spark) |
| REALPEOPLE_SPARK_DIR | <data dir>/spark (local Spark's warehouse, metastore and spill) |
| REALPEOPLE_SPARK_SCHEMA | realpeople (the Spark database dbt builds into) |
| REALPEOPLE_DUCKDB_MEMORY_LIMIT | 4GB (DuckDB spills to disk past it) |
| REALPEOPLE_DUCKDB_THREADS | 2 |
| REALPEOPLE_FIRST_DELIVERY_DATE | 2024-01-01 (first daily partition) |
| REALPEOPLE_FEATURE_WINDOW_DAYS | 28 |
| REALPEOPLE_PLATFORM_UTC_OFFSET_HOURS | 8 (the platform's home time zone) |
| REALPEOPLE_MODEL_NAME | account_authenticity |
| REALPEOPLE_TERMINATE_PRECISION | 0.99 (held-out precision the terminate tier must keep) |
| REALPEOPLE_LABEL_NOISE | 0.02 (share of review verdicts assumed wrong; see ml/policy.py) |
| REALPEOPLE_REVIEW_OVERRIDE_DAYS | 28 (a moderator verdict this recent overrides the model) |
| REALPEOPLE_SECOND_REVIEW_BELOW | 0.2 (a verdict the model flatly contradicts gets a second review: ai_managed when P(ai_managed) is below this, ai_assisted when P(any AI) is) |
| REALPEOPLE_BRAKE_FACTOR | 3 (brake when terminations exceed this x the trailing median) |
| REALPEOPLE_BRAKE_HISTORY_RUNS | 7 (published runs in the trailing median) |
| REALPEOPLE_BRAKE_MIN_HISTORY | 3 (published runs needed before the surge rule applies) |
| REALPEOPLE_BRAKE_MIN_TERMINATE | 20 (never brake below this many terminations) |
| REALPEOPLE_BRAKE_PSI | 0.25 (brake when the score distribution's PSI exceeds this) |
| REALPEOPLE_TRAINING_BACKEND | local (`dask`: the model's final fit and the scoring run on a Dask cluster) |
| REALPEOPLE_DASK_SCHEDULER | empty (with `dask`: an in-process LocalCluster on 127.0.0.1; else e.g. tcp://host:8786) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dagster import ConfigurableResource

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# Engines dbt can build the features on; each is a target of that name in profiles.yml.
ENGINES = ("duckdb", "spark")


class Settings(ConfigurableResource):
    """Where RealPeople reads and writes, and how hard it works; a Dagster resource so
    the UI shows what a run used. Build it with :func:`load_settings`."""

    landing_dir: str
    data_dir: str
    warehouse_path: str
    engine: str
    raw_parquet_dir: str
    spark_dir: str
    spark_schema: str
    duckdb_memory_limit: str
    duckdb_threads: int
    mlflow_tracking_uri: str
    mlflow_artifact_root: str
    dagster_home: str
    first_delivery_date: str
    feature_window_days: int
    platform_utc_offset_hours: int
    model_name: str
    terminate_precision: float
    label_noise: float
    review_override_days: int
    second_review_below: float
    brake_factor: float
    brake_history_runs: int
    brake_min_history: int
    brake_min_terminate: int
    brake_psi: float
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

    def subprocess_env(self) -> dict[str, str]:
        """The variables dbt's profiles.yml and MLflow read, as absolute values."""
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
            "MLFLOW_TRACKING_URI": self.mlflow_tracking_uri,
            "DAGSTER_HOME": self.dagster_home,
        }

    def dbt_vars(self) -> dict[str, str | int]:
        """dbt ``--vars``: only what stays the same from one run date to the next. The run
        date itself goes in :meth:`dbt_run_env`: dbt re-parses the whole project whenever
        the vars change, so a run date among them made every build re-parse."""
        return {
            "feature_window_days": self.feature_window_days,
            "platform_utc_offset_hours": self.platform_utc_offset_hours,
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


def _path(env: Mapping[str, str], name: str, default: Path) -> str:
    value = env.get(name)
    return str(Path(value).expanduser().resolve() if value else default.resolve())


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    """The variable's value if it is one of ``allowed`` (default: the first); fail early, by name."""
    value = env.get(name) or allowed[0]
    if value not in allowed:
        raise ValueError(f"{name}={value!r}: expected one of {', '.join(allowed)}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    data_dir = Path(_path(env, "REALPEOPLE_DATA_DIR", Path("data")))
    tracking_uri = env.get("MLFLOW_TRACKING_URI") or f"sqlite:///{data_dir / 'mlflow' / 'mlflow.db'}"
    return Settings(
        landing_dir=_path(env, "REALPEOPLE_LANDING_DIR", Path("data/landing")),
        data_dir=str(data_dir),
        warehouse_path=_path(env, "REALPEOPLE_WAREHOUSE_PATH", data_dir / "warehouse.duckdb"),
        engine=_choice(env, "REALPEOPLE_ENGINE", ENGINES),
        raw_parquet_dir=_path(env, "REALPEOPLE_RAW_PARQUET_DIR", data_dir / "raw_parquet"),
        spark_dir=_path(env, "REALPEOPLE_SPARK_DIR", data_dir / "spark"),
        spark_schema=env.get("REALPEOPLE_SPARK_SCHEMA", "realpeople"),
        duckdb_memory_limit=env.get("REALPEOPLE_DUCKDB_MEMORY_LIMIT", "4GB"),
        duckdb_threads=int(env.get("REALPEOPLE_DUCKDB_THREADS", "2")),
        mlflow_tracking_uri=tracking_uri,
        mlflow_artifact_root=_path(env, "REALPEOPLE_MLFLOW_ARTIFACT_ROOT", data_dir / "mlflow" / "artifacts"),
        dagster_home=_path(env, "DAGSTER_HOME", data_dir / "dagster_home"),
        first_delivery_date=env.get("REALPEOPLE_FIRST_DELIVERY_DATE", "2024-01-01"),
        feature_window_days=int(env.get("REALPEOPLE_FEATURE_WINDOW_DAYS", "28")),
        platform_utc_offset_hours=int(env.get("REALPEOPLE_PLATFORM_UTC_OFFSET_HOURS", "8")),
        model_name=env.get("REALPEOPLE_MODEL_NAME", "account_authenticity"),
        terminate_precision=float(env.get("REALPEOPLE_TERMINATE_PRECISION", "0.99")),
        label_noise=float(env.get("REALPEOPLE_LABEL_NOISE", "0.02")),
        review_override_days=int(env.get("REALPEOPLE_REVIEW_OVERRIDE_DAYS", "28")),
        second_review_below=float(env.get("REALPEOPLE_SECOND_REVIEW_BELOW", "0.2")),
        brake_factor=float(env.get("REALPEOPLE_BRAKE_FACTOR", "3")),
        brake_history_runs=int(env.get("REALPEOPLE_BRAKE_HISTORY_RUNS", "7")),
        brake_min_history=int(env.get("REALPEOPLE_BRAKE_MIN_HISTORY", "3")),
        brake_min_terminate=int(env.get("REALPEOPLE_BRAKE_MIN_TERMINATE", "20")),
        brake_psi=float(env.get("REALPEOPLE_BRAKE_PSI", "0.25")),
        training_backend=_choice(env, "REALPEOPLE_TRAINING_BACKEND", ("local", "dask")),
        dask_scheduler=env.get("REALPEOPLE_DASK_SCHEDULER", ""),
    )
