"""benchmarks/truth_report.py: what a published run did to each archetype, against truth."""

import importlib.util
from pathlib import Path

import duckdb
import pandas as pd
import pytest

_SPEC = importlib.util.spec_from_file_location(
    "truth_report", Path(__file__).resolve().parents[2] / "benchmarks" / "truth_report.py"
)
truth_report = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(truth_report)


@pytest.fixture
def run(tmp_path):
    truth = pd.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(10)],
            "archetype": ["human_regular"] * 5
            + ["ai_managed_stealth"] * 3
            + ["ai_managed_naive"] * 2,
            "true_class": ["human"] * 5 + ["ai_managed"] * 5,
        }
    )
    published = tmp_path / "2026-11-15"
    published.mkdir()
    pd.DataFrame(
        {
            "account_id": ["a0", "a5", "a6", "a8", "a9"],
            "action": ["warn_and_limit", "terminate", "terminate", "terminate", "warn_and_limit"],
        }
    ).to_parquet(published / "enforcement_list.parquet")
    pd.DataFrame({"account_id": ["a7"]}).to_parquet(published / "review_queue.parquet")
    return published, truth


def test_per_archetype_outcomes_and_headline_figures(run):
    published, truth = run
    summary = truth_report.summarise(truth_report.outcomes(published, truth))
    table = summary["per_archetype"]
    assert table.loc["ai_managed_stealth", "terminate"] == pytest.approx(2 / 3)
    assert table.loc["ai_managed_stealth", "review"] == pytest.approx(1 / 3)
    assert table.loc["ai_managed_naive", "warn_and_limit"] == pytest.approx(0.5)
    assert table.loc["human_regular", "none"] == pytest.approx(0.8)
    assert summary["terminate_precision"] == 1.0
    assert summary["terminate_recall"] == pytest.approx(3 / 5)
    assert summary["people_terminated"] == 0
    assert summary["people_actioned_per_10k"] == pytest.approx(1e4 / 5)  # one warned of five
    assert summary["ai_managed_queued_for_review"] == 1
    assert "ai_managed_stealth" in truth_report.render(summary)


def test_compare_thresholds_on_the_same_scores(run, tmp_path):
    _, truth = run
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table account_scores as select * from (values "
            "('a0', 0.6), ('a1', 0.1), ('a5', 0.9), ('a6', 0.7), ('a7', 0.65), ('a8', 0.95), "
            "('a9', 0.2)) t(account_id, score_ai_managed)"
        )
        con.execute("alter table account_scores add column run_date date default '2026-11-15'")
    table = truth_report.compare_thresholds(
        warehouse, "2026-11-15", truth, {"high": 0.8, "low": 0.6}
    )
    high, low = table.set_index("policy").loc["high"], table.set_index("policy").loc["low"]
    assert (high["terminated"], high["people_terminated"], high["recall"]) == (
        2,
        0,
        pytest.approx(0.4),
    )
    assert (low["terminated"], low["people_terminated"]) == (5, 1)
    assert low["precision"] == pytest.approx(0.8)
    assert low["recall_ai_managed_stealth"] == 1.0
