"""The one Definitions object: ingest -> features -> model -> publish."""

from __future__ import annotations

from dagster import Definitions

from orchestration.automation import AUTOMATION
from orchestration.ingest.assets import raw_assets
from orchestration.ingest.checks import raw_contract_checks
from orchestration.jobs import JOBS
from orchestration.model.assets import account_authenticity_model, account_scores, weekly_training
from orchestration.model.clusters import coordination_clusters, review_requests
from orchestration.quality.checks import quality_checks
from orchestration.publish.assets import (
    compliance_metrics,
    enforcement_list,
    enforcement_list_contract,
    published_snapshot,
    safety_brake,
)
from orchestration.resources import build_resources
from orchestration.settings import Settings, load_settings
from orchestration.transform.assets import realpeople_dbt_models


def build_definitions(settings: Settings) -> Definitions:
    return Definitions(
        assets=[*raw_assets, realpeople_dbt_models, account_authenticity_model, account_scores, coordination_clusters,
                review_requests,
                enforcement_list, compliance_metrics, published_snapshot],
        asset_checks=[*raw_contract_checks, *quality_checks, enforcement_list_contract, safety_brake],
        jobs=JOBS,
        sensors=AUTOMATION["sensors"],
        schedules=[*AUTOMATION["schedules"], weekly_training],
        resources=build_resources(settings),
    )


defs = build_definitions(load_settings())
