"""The pipeline's Definitions: every stage under ``defs/``, plus the resources.

``defs/`` is a Dagster defs folder (``load_from_defs_folder``); each sub-folder is a stage
of the pipeline, in order: ``ingest`` -> ``features`` -> ``model`` -> ``quality`` ->
``publish``, with the jobs and automation beside them. ``dg list defs`` prints them.
Resources are built here, not in the folder, because tests and the CLI build the same
definitions against other settings (another data dir, another landing zone).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dagster import AssetKey, Definitions, FreshnessPolicy, definitions, load_from_defs_folder

from realpeople.resources import build_resources
from realpeople.settings import Settings, load_settings


def build_definitions(settings: Settings) -> Definitions:
    """Every stage's definitions from ``defs/``, with resources built from ``settings``,
    the run policy's automation conditions (``defs/policy.py``) and the publishing
    deadline (a freshness policy on ``published_snapshot``)."""
    from realpeople.defs.policy import apply_run_policy, run_policy

    policy = run_policy(settings)
    stages = load_from_defs_folder(path_within_project=Path(__file__).parent)
    deadline = FreshnessPolicy.cron(
        deadline_cron=f"0 {settings.publish_deadline_hour} * * *",
        lower_bound_delta=timedelta(hours=24),
        timezone="UTC",
    )
    published = AssetKey("published_snapshot")
    stages = apply_run_policy(stages, policy).map_resolved_asset_specs(
        func=lambda spec: (
            spec.replace_attributes(freshness_policy=deadline) if spec.key == published else spec
        )
    )
    return Definitions.merge(stages, Definitions(resources=build_resources(settings)))


@definitions
def defs() -> Definitions:
    """What ``dg``, ``dagster dev`` and the webserver load: settings from the environment,
    read when the code location loads, not at import."""
    return build_definitions(load_settings())
