"""The expectation suites and their runner (src/realpeople/expectations/).

Great Expectations is imported once, on the first validation (a few seconds); the
context is cached per process, so every later validation here takes a fraction of
a second.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from realpeople.expectations import (
    ValidationSummary,
    list_suites,
    load_suite,
    validate_frame,
)

ENFORCEMENT_COLUMNS = [
    "account_id",
    "action",
    "score_ai_managed",
    "score_ai_assisted",
    "reasons",
    "model_version",
    "run_date",
]


def enforcement_list(n: int = 6) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [f"acc{i:05d}" for i in range(n)],
            "action": ["terminate" if i % 2 else "warn_and_limit" for i in range(n)],
            "score_ai_managed": [0.5 + i / (4 * n) for i in range(n)],
            "score_ai_assisted": [0.9 - i / (4 * n) for i in range(n)],
            "reasons": ["posts every 30 seconds around the clock; 92% of posts via the api client"]
            * n,
            "model_version": ["4"] * n,
            "run_date": pd.to_datetime(["2024-03-01"] * n),
        }
    )[ENFORCEMENT_COLUMNS]


def failed_of(summary: ValidationSummary, expectation: str, column: str | None = None):
    hits = [
        f
        for f in summary.failed
        if f.expectation == expectation and (column is None or f.column == column)
    ]
    assert hits, f"{expectation} on {column} did not fail; failed: {summary.to_markdown()}"
    return hits[0]


# ------------------------------------------------------------------- suites


def test_suites_are_gx_suite_json():
    assert {"account_features", "enforcement_list"} <= set(list_suites())
    for name in ("account_features", "enforcement_list"):
        suite = load_suite(name)
        assert suite["name"] == name
        assert suite["meta"]["severity"] == "blocking"
        assert suite["meta"]["description"]
        assert all(
            e["type"].startswith("expect_") and isinstance(e["kwargs"], dict)
            for e in suite["expectations"]
        )


def test_load_suite_rejects_unknown_and_path_names():
    with pytest.raises(FileNotFoundError):
        load_suite("no_such_suite")
    with pytest.raises(ValueError):
        load_suite("../pyproject")


# ------------------------------------------------------------------- enforcement list


def test_good_enforcement_list_passes():
    summary = validate_frame(enforcement_list(), "enforcement_list")
    assert summary.success, summary.to_markdown()
    assert summary.failed == []
    assert summary.evaluated == len(load_suite("enforcement_list")["expectations"])
    assert summary.severity == "blocking"
    assert "passed" in summary.to_markdown()


def test_empty_enforcement_list_passes():
    assert validate_frame(enforcement_list(0), "enforcement_list").success


def test_duplicate_account_fails():
    frame = enforcement_list()
    frame.loc[3, "account_id"] = "acc00001"
    summary = validate_frame(frame, "enforcement_list")
    assert not summary.success
    f = failed_of(summary, "expect_column_values_to_be_unique", "account_id")
    assert "acc00001" in f.sample
    assert f.unexpected_count == 2


def test_unknown_action_fails():
    frame = enforcement_list()
    frame.loc[2, "action"] = "shadow_ban"
    summary = validate_frame(frame, "enforcement_list")
    f = failed_of(summary, "expect_column_values_to_be_in_set", "action")
    assert f.sample == ["shadow_ban"]
    assert f.unexpected_count == 1
    assert [x.expectation for x in summary.failed] == ["expect_column_values_to_be_in_set"]


def test_score_out_of_range_fails():
    frame = enforcement_list()
    frame.loc[0, "score_ai_managed"] = 1.5
    summary = validate_frame(frame, "enforcement_list")
    f = failed_of(summary, "expect_column_values_to_be_between", "score_ai_managed")
    assert f.sample == [1.5]
    assert f.unexpected_percent == pytest.approx(100 / 6)


def test_missing_column_fails():
    frame = enforcement_list().drop(columns=["model_version"])
    summary = validate_frame(frame, "enforcement_list")
    f = failed_of(summary, "expect_table_columns_to_match_ordered_list")
    assert "model_version" not in f.observed_value
    assert any(m.get("Expected") == "model_version" for m in f.sample)
    # the column's own expectations cannot run: they fail and say why
    g = failed_of(summary, "expect_column_values_to_not_be_null", "model_version")
    assert "model_version" in g.exception


@pytest.mark.parametrize("empty", ["", "   "])
def test_empty_reason_fails(empty):
    frame = enforcement_list()
    frame.loc[4, "reasons"] = empty
    summary = validate_frame(frame, "enforcement_list")
    f = failed_of(summary, "expect_column_values_to_match_regex", "reasons")
    assert f.sample == [empty]


def test_parameters_reach_the_suite():
    frame = enforcement_list()
    assert validate_frame(frame, "enforcement_list", extra_params={"max_rows": 6}).success
    summary = validate_frame(frame, "enforcement_list", extra_params={"max_rows": 5})
    f = failed_of(summary, "expect_table_row_count_to_be_between")
    assert f.observed_value == 6
    assert f.kwargs["max_value"] == 5


def test_two_run_dates_fail():
    frame = enforcement_list()
    frame.loc[0, "run_date"] = pd.Timestamp("2024-03-02")
    f = failed_of(
        validate_frame(frame, "enforcement_list"),
        "expect_column_unique_value_count_to_be_between",
        "run_date",
    )
    assert f.observed_value == 2


# ------------------------------------------------------------------- outputs


def test_summary_is_json_safe_and_markdown_lists_failures():
    frame = enforcement_list()
    frame.loc[0, "score_ai_assisted"] = float("nan")
    frame.loc[1, "action"] = "ban | everything"
    summary = validate_frame(frame, "enforcement_list", batch_id="2024-03-01")
    json.dumps(summary.to_dict(), allow_nan=False)
    md = summary.to_markdown()
    assert "| expectation |" in md
    assert "expect_column_values_to_not_be_null" in md
    assert "ban \\| everything" in md


def test_a_checkpoint_keeps_each_validation_in_data_docs(tmp_path):
    """With a GX root, the suite runs through its Checkpoint in a file context: the
    result is stored, Data Docs get a page per validation (history kept), and the
    summary links this validation's page. The suite in the context is the repository's."""
    from urllib.parse import unquote, urlparse

    root = tmp_path / "gx"
    frame = enforcement_list()
    frame.loc[2, "action"] = "shadow_ban"
    failed = validate_frame(
        frame, "enforcement_list", batch_id="enforcement_list_run_date=2024-03-01", gx_root=root
    )
    assert not failed.success
    page = Path(unquote(urlparse(failed.docs_url).path))
    assert page.is_file() and page.is_relative_to(root)
    assert "shadow_ban" in page.read_text(encoding="utf-8")
    index = root / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert index.is_file()
    passed = validate_frame(
        enforcement_list(),
        "enforcement_list",
        batch_id="enforcement_list_run_date=2024-03-02",
        gx_root=root,
    )
    assert passed.success and passed.docs_url != failed.docs_url
    assert Path(unquote(urlparse(failed.docs_url).path)).is_file()  # history kept
    stored = json.loads((root / "gx" / "expectations" / "enforcement_list.json").read_text())
    assert len(stored["expectations"]) == len(load_suite("enforcement_list")["expectations"])
    assert (root / "gx" / "checkpoints" / "enforcement_list.json").is_file()


def test_the_data_docs_index_lists_the_newest_validations_only(tmp_path, monkeypatch):
    """GX rebuilds the index after each validation by reading every result it lists, so
    an unbounded index made every check slower with each run date (issue 15). It lists
    the newest DOCS_INDEX_VALIDATIONS; an older validation keeps its page and result."""
    from urllib.parse import unquote, urlparse

    from realpeople.expectations import runner

    monkeypatch.setattr(runner, "DOCS_INDEX_VALIDATIONS", 2)
    root = tmp_path / "gx"
    summaries = [
        validate_frame(
            enforcement_list(),
            "enforcement_list",
            batch_id=f"enforcement_list_run_date=2024-03-0{day}",
            gx_root=root,
        )
        for day in (1, 2, 3)
    ]
    index = root / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    listed = index.read_text(encoding="utf-8")
    assert "2024-03-03" in listed and "2024-03-02" in listed
    assert "2024-03-01" not in listed
    oldest = Path(unquote(urlparse(summaries[0].docs_url).path))
    assert oldest.is_file() and "2024-03-01" in oldest.read_text(encoding="utf-8")


# --------------------------------------------------------------------- issue 7 suites


def test_every_edge_table_has_a_suite_with_its_severity():
    """The tables the pipeline writes and gates on. The raw tables have none: every raw
    row is validated in SQL at load, and their formats are the load's own check
    (defs/ingest/formats.py), so no GX pass reads them again (issue 15)."""
    expected = {
        "account_features": "blocking",
        "account_scores": "blocking",
        "enforcement_list": "blocking",
    }
    assert set(list_suites()) == set(expected)
    for name, severity in expected.items():
        assert load_suite(name)["meta"]["severity"] == severity, name


def _features(n: int = 4) -> pd.DataFrame:
    from realpeople.ml.features import KEY_COLUMNS, MART_COLUMNS

    frame = pd.DataFrame(
        {
            "run_date": pd.to_datetime(["2024-03-01"] * n),
            "account_id": [f"acc{i}" for i in range(n)],
        }
    )
    for name in MART_COLUMNS[len(KEY_COLUMNS) :]:
        frame[name] = 0.5 if name.endswith("_share") else 1.0
    frame["signup_via_api"] = 0
    frame["avatar_shared"] = 1
    return frame


def test_good_account_features_pass_and_active_days_beyond_the_window_fail_with_a_sample():
    assert validate_frame(_features(), "account_features").success
    frame = _features()
    frame.loc[2, "active_days"] = 30.0  # a 28-day window spans at most 29 local days
    summary = validate_frame(frame, "account_features")
    failure = failed_of(summary, "expect_column_values_to_be_between", "active_days")
    assert failure.unexpected_count == 1 and failure.sample == [30.0]
    # The window comes with the run's settings, as the asset check passes it.
    assert validate_frame(frame, "account_features", extra_params={"max_active_days": 31}).success


def test_the_features_suite_holds_only_what_needs_the_run_and_the_columns_their_rules():
    """One home for each value rule of the mart: a column's NULLs, range and value set are
    declared beside it in the dbt yml (tested in the build by account_features_column_rules);
    the GX suite keeps what needs the run's settings or the accounts known, and the
    column list comes from ml/features.py."""
    suite = load_suite("account_features")
    per_column = [
        e
        for e in suite["expectations"]
        if "column" in e["kwargs"] and e["type"] != "expect_column_unique_value_count_to_be_between"
    ]
    assert per_column and all(
        any(isinstance(v, dict) and "$PARAMETER" in v for v in e["kwargs"].values())
        for e in per_column
    ), per_column
    from realpeople.ml.features import MART_COLUMNS

    columns = next(
        e for e in suite["expectations"] if e["type"] == "expect_table_columns_to_match_set"
    )
    assert columns["kwargs"]["column_set"] == list(MART_COLUMNS)


def test_account_features_missing_a_model_column_fails():
    summary = validate_frame(_features().drop(columns=["api_client_share"]), "account_features")
    assert not summary.success


def test_account_scores_suite():
    n = 4
    frame = pd.DataFrame(
        {
            "run_date": pd.to_datetime(["2024-03-01"] * n),
            "account_id": [f"acc{i}" for i in range(n)],
            "score_human": [0.1] * n,
            "score_ai_assisted": [0.2] * n,
            "score_ai_managed": [0.7] * n,
            "proposed_action": ["terminate", None, "warn_and_limit", None],
            "reasons": ["x", None, "y", None],
            "model_name": ["m"] * n,
            "model_version": ["3"] * n,
        }
    )
    assert validate_frame(frame, "account_scores").success
    frame.loc[1, "account_id"] = "acc0"
    failure = failed_of(
        validate_frame(frame, "account_scores"), "expect_column_values_to_be_unique", "account_id"
    )
    assert failure.sample == ["acc0", "acc0"]
