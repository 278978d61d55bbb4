"""Jobs: the pipeline's stages as the units `make run`, schedules and the UI launch."""

from dagster import AssetCheckKey, AssetKey, AssetSelection, define_asset_job

from realpeople.contract import TABLES
from realpeople.partitions import delivery_date_partitions

# The Great Expectations suites on the raw rows (realpeople.defs.ingest.checks): a look at
# what got through the load (formats drifting, a near-empty delivery). Every row was
# already validated in SQL at load, so they stay out of the per-delivery ingest run (a GX
# checkpoint and its Data Docs cost seconds per delivery whatever its size) and run once
# per published date, in the daily run, on that date's delivery.
RAW_GX_CHECKS = AssetSelection.checks(
    *(AssetCheckKey(AssetKey(["raw", table]), f"raw_{table}_contract") for table in TABLES)
)

ingest_job = define_asset_job(
    "ingest_job",
    selection=AssetSelection.groups("ingest") - RAW_GX_CHECKS,
    partitions_def=delivery_date_partitions,
    description=(
        "Load one delivery date's files of every contract table into the raw layer "
        "(SQL validation, quarantine, reconciliation); the raw GX suites run in the daily run."
    ),
)

features_job = define_asset_job(
    "features_job",
    selection=AssetSelection.groups("features"),
    partitions_def=delivery_date_partitions,
    description="dbt build: staging, intermediate and account_features as of the run date.",
)

training_job = define_asset_job(
    "training_job",
    selection=AssetSelection.assets("account_authenticity_model"),
    description=(
        "Train, evaluate and register the model as challenger; the promotion gate "
        "makes it champion only if it beats the current one. Weekly and on demand."
    ),
)

publish_job = define_asset_job(
    "publish_job",
    selection=(
        AssetSelection.assets("account_scores", "coordination_clusters", "review_requests")
        | AssetSelection.groups("publish")
        | RAW_GX_CHECKS
    ),
    partitions_def=delivery_date_partitions,
    description=(
        "Score with the champion, build the enforcement list and metrics, publish the "
        "files; the raw GX suites look at the date's delivery."
    ),
)

raw_suites_job = define_asset_job(
    "raw_suites_job",
    selection=RAW_GX_CHECKS,
    partitions_def=delivery_date_partitions,
    description=(
        "The raw GX suites of a delivery date alone: the run policy runs them with the run "
        "date's publication, or on their own when that publication waits for a first model."
    ),
)

JOBS = [ingest_job, features_job, training_job, publish_job, raw_suites_job]

daily_job = define_asset_job(
    "daily_job",
    selection=(
        AssetSelection.groups("features", "publish")
        | AssetSelection.assets("account_scores", "coordination_clusters", "review_requests")
        | RAW_GX_CHECKS
    ),
    partitions_def=delivery_date_partitions,
    description=(
        "The daily run: features, scores with the champion, enforcement list, metrics, "
        "files, and the raw GX suites on the date's delivery."
    ),
)

JOBS.append(daily_job)
