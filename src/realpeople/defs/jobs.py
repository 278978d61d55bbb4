"""Jobs: the pipeline's stages as the units `make run`, schedules and the UI launch."""

from dagster import AssetSelection, define_asset_job

from realpeople.partitions import delivery_date_partitions

ingest_job = define_asset_job(
    "ingest_job",
    selection=AssetSelection.groups("ingest"),
    partitions_def=delivery_date_partitions,
    description=(
        "Load one delivery date's files of every contract table into the raw layer "
        "(SQL validation, quarantine, reconciliation, the values' formats)."
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
    ),
    partitions_def=delivery_date_partitions,
    description=(
        "Score with the champion, build the enforcement list and metrics, publish the files."
    ),
)

JOBS = [ingest_job, features_job, training_job, publish_job]

daily_job = define_asset_job(
    "daily_job",
    selection=(
        AssetSelection.groups("features", "publish")
        | AssetSelection.assets("account_scores", "coordination_clusters", "review_requests")
    ),
    partitions_def=delivery_date_partitions,
    description=(
        "The daily run: features, scores with the champion, enforcement list, metrics, files."
    ),
)

JOBS.append(daily_job)
