"""Issue 13's failures, rebuilt from its description (smaller where the behaviour is the same).

1. "8,000 accounts, 21 days, few reviews": the policy fell back and its review band was not
   empty; the account_scores suite rejected `review` and nothing was published. Rebuilt in
   tests/integration/test_pipeline.py (test_a_policy_that_falls_back_fills_the_review_queue),
   which has a trained champion to make fall back.
2. "1,500 accounts, 10 days": training refused (human 89, ai_managed 10, ai_assisted 9) and
   the run died. Now: no model acts, the moderators' decisions are published with the
   compliance metrics, and the report and the summary say what training needs.
3. "One delivery folder named dt=2026-13-45": discovery stopped the whole run. The fix is
   ingestion's (issue 14, in parallel); the test is written against the issue's words.
"""

import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from realpeople.cli import main, summarise
from tests.conformance.harness import run_world, warehouse_frame
from tests.conformance.worlds import END, WorldSpec, write_world


@pytest.mark.extended
def test_too_few_reviews_publishes_the_moderators_decisions(tmp_path, capsys):
    spec = WorldSpec(
        seed=2,
        accounts=300,
        days=3,
        reviews="counts",
        formats="mix",
        review_counts=(("human", 89), ("ai_managed", 10), ("ai_assisted", 9)),
    )
    outcome = run_world(spec, tmp_path)  # asserts: list == moderators' verdicts, decided_by
    assert outcome.status == "published" and outcome.model_acting is False
    settings = outcome.settings
    folder = tmp_path / "data" / "published" / outcome.run_date
    metrics = pd.read_parquet(folder / "compliance_metrics.parquet").set_index("metric")["value"]
    # The exact counts: one more ai_assisted review is all training lacks.
    assert metrics["model_acting"] == 0
    assert (
        metrics["reviews_needed_ai_assisted"],
        metrics["reviews_needed_ai_managed"],
        metrics["reviews_needed_human"],
        metrics["reviews_needed_any"],
    ) == (1, 0, 0, 0)
    listed = pd.read_parquet(folder / "enforcement_list.parquet")
    assert (listed["action"] == "terminate").sum() == 10 and (
        listed["action"] == "warn_and_limit"
    ).sum() == 9
    assert listed["score_ai_managed"].isna().all() and listed["model_version"].isna().all()
    # Compliance metrics are published: ingest reconciliation, labelling, prevalence (audit).
    assert (
        metrics["rows_landed_events"]
        == metrics["rows_loaded_events"] + metrics["rows_quarantined_events"]
    )
    assert metrics["rows_loaded_events"] > 0
    assert pd.notna(metrics["ai_labelled_posts_with_marker_share"])
    assert metrics["prevalence_audit_sample_size"] > 0 and pd.notna(
        metrics["prevalence_ai_managed_estimate"]
    )
    report = (folder / "report.html").read_text()
    assert "No model acts yet" in report and "more reviewed <code>ai_assisted</code>" in report
    status = warehouse_frame(settings, "select * from model_status")
    assert status["model_acting"].tolist() == [False]
    summary = summarise(settings, outcome.run_date)
    assert "No model acts yet" in summary and "1 more reviewed ai_assisted" in summary


@pytest.mark.extended
def test_a_folder_that_is_not_a_date_does_not_stop_the_good_days(tmp_path, monkeypatch, capsys):
    landing = tmp_path / "landing"
    write_world(WorldSpec(seed=3, accounts=30, days=2, reviews="three_per_class"), landing)
    bad = landing / "events" / "dt=2026-13-45"
    bad.mkdir(parents=True)
    shutil.copy(next((landing / "events" / f"dt={END.isoformat()}").iterdir()), bad)
    data = tmp_path / "data"
    monkeypatch.setenv("REALPEOPLE_LANDING_DIR", str(landing))
    monkeypatch.setenv("REALPEOPLE_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    code = main(["run"])
    out = capsys.readouterr()
    assert code != 0, "an operator must notice the rejected delivery"
    assert "dt=2026-13-45" in out.out + out.err
    folder = data / "published" / END.isoformat()
    metrics = pd.read_parquet(folder / "compliance_metrics.parquet").set_index("metric")["value"]
    assert metrics["deliveries_rejected"] == 1


def test_null_typed_optional_columns_load(tmp_path):
    import duckdb

    from realpeople.defs.ingest.loader import load_delivery
    from tests.conformance.worlds import _arrow, build_rows

    spec = WorldSpec(
        seed=4, accounts=20, days=1, reviews="three_per_class", null_optional_columns=True
    )
    rows = build_rows(spec)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for table in ("accounts", "events", "appeals"):
        day_rows = rows[table][END]
        folder = tmp_path / "landing" / table / f"dt={END.isoformat()}"
        folder.mkdir(parents=True)
        pq.write_table(_arrow(table, day_rows, null_optional=True), folder / "part-0.parquet")
        report = load_delivery(con, tmp_path / "landing", table, END)
        assert report.rows_loaded == len(day_rows), (table, report.messages)
