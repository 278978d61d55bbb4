"""The whole pipeline on a platform export we did not write: 1,000 accounts over 8 days,
made from the contract page alone by someone who never read our code (issue 13).

The export lives outside the repository (``REALPEOPLE_FOREIGN_WORLD``, default
``/work/shared/worlds/foreign-1000x8/landing``, read-only); the test copies it to a
temporary folder and skips, saying where it looked, when it is not there. It must publish:
before issue 13 the run died in training ("only 74 reviews have a feature snapshot taken
before their day"); now too few reviews mean no model acts and the moderators' decisions
are published.
"""

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conformance.harness import run_once, settings_for, warehouse_frame

FOREIGN = Path(os.environ.get("REALPEOPLE_FOREIGN_WORLD", "/work/shared/worlds/foreign-1000x8/landing"))


@pytest.fixture(scope="module")
def foreign_world(tmp_path_factory):
    if not FOREIGN.is_dir():
        pytest.skip(f"the foreign export is not on this machine ({FOREIGN}; set REALPEOPLE_FOREIGN_WORLD)")
    root = tmp_path_factory.mktemp("foreign")
    shutil.copytree(FOREIGN, root / "landing")
    return root


@pytest.mark.slow
def test_the_foreign_export_publishes(foreign_world):
    settings = settings_for(foreign_world, foreign_world / "landing")
    outcome = run_once(settings)  # asserts the snapshot is complete and contract-valid
    assert outcome.status == "published", outcome.message
    folder = Path(settings.published_dir) / outcome.run_date
    listed = pd.read_parquet(folder / "enforcement_list.parquet")
    metrics = pd.read_parquet(folder / "compliance_metrics.parquet").set_index("metric")["value"]
    decided = warehouse_frame(settings, "select decided_by, count(*) as n from enforcement_list "
                                        "where run_date = ? group by 1", [outcome.run_date])
    assert len(listed) == metrics["accounts_actioned_total"] > 0
    if not outcome.model_acting:  # the export's reviews do not yet support a model
        assert set(decided["decided_by"]) == {"moderator"}
        assert metrics[[m for m in metrics.index if m.startswith("reviews_needed_")]].sum() > 0
