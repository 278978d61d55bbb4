"""Every check that encodes a value set another stage produces reads it from
``src/realpeople/vocabulary.py``, or this test fails (issue 13: the account_scores suite rejected the
``review`` the policy proposes)."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from realpeople import vocabulary
from realpeople.expectations.runner import SUITES_DIR, load_suite, validate_frame
from realpeople.ml.features import CLASSES
from realpeople.ml.policy import Policy, decide_actions

ROOT = Path(__file__).resolve().parents[2]
# Numeric flags of the feature mart (0/1): not a value set another stage names.
NUMERIC_FLAG_SETS = {("account_features", "signup_via_api"), ("account_features", "avatar_shared")}
# Which declaration each enum column of the contract follows.
COLUMN_VALUES = {
    "event_type": vocabulary.EVENT_TYPES,
    "client": vocabulary.CLIENTS,
    "signup_client": vocabulary.CLIENTS,
    "verdict": vocabulary.VERDICTS,
    "source": vocabulary.REVIEW_SOURCES,
    "action": vocabulary.APPEAL_ACTIONS,
    "outcome": vocabulary.APPEAL_OUTCOMES,
}


def test_the_model_classes_are_the_verdicts():
    assert CLASSES == vocabulary.VERDICTS
    assert set(vocabulary.VERDICT_ACTION) == set(vocabulary.VERDICTS)
    assert {a for a in vocabulary.VERDICT_ACTION.values() if a} == set(vocabulary.ACTIONS)
    assert set(vocabulary.PROPOSED_ACTIONS) == {*vocabulary.ACTIONS, vocabulary.REVIEW}


def test_no_suite_spells_out_a_value_set():
    for path in sorted(SUITES_DIR.glob("*.json")):
        for exp in json.loads(path.read_text())["expectations"]:
            if (
                "value_set" in exp["kwargs"]
                and (path.stem, exp["kwargs"]["column"]) not in NUMERIC_FLAG_SETS
            ):
                assert exp["kwargs"]["value_set"].keys() == {"$VALUES"}, (path.name, exp["kwargs"])


def test_suite_value_sets_resolve_to_the_declaration():
    resolved = {
        exp["kwargs"]["column"]: exp["kwargs"]["value_set"]
        for exp in load_suite("account_scores")["expectations"]
        if "value_set" in exp["kwargs"]
    }
    assert resolved["proposed_action"] == list(vocabulary.PROPOSED_ACTIONS)
    listed = [
        e for e in load_suite("enforcement_list")["expectations"] if "value_set" in e["kwargs"]
    ]
    assert listed[0]["kwargs"]["value_set"] == list(vocabulary.ACTIONS)


def test_an_unknown_value_set_name_is_refused(tmp_path, monkeypatch):
    from realpeople.expectations import runner

    monkeypatch.setattr(runner, "SUITES_DIR", tmp_path)
    (tmp_path / "bad.json").write_text(
        json.dumps(
            {
                "name": "bad",
                "expectations": [
                    {
                        "type": "expect_column_values_to_be_in_set",
                        "kwargs": {"column": "x", "value_set": {"$VALUES": "NOPE"}},
                    }
                ],
            }
        )
    )
    with pytest.raises(ValueError, match="unknown value set 'NOPE'"):
        runner.load_suite("bad")


def test_the_scores_suite_accepts_everything_the_policy_proposes():
    """Real GX on what ``decide_actions`` emits with every band non-empty."""
    policy = Policy(
        terminate_threshold=0.9,
        warn_threshold=0.7,
        terminate_precision_target=0.99,
        label_noise=0.02,
        terminate_heldout_precision=1.0,
        terminate_heldout_recall=1.0,
        terminate_heldout_support=10,
        warn_heldout_precision=1.0,
        warn_heldout_recall=1.0,
        target_met=False,
        review_managed_threshold=0.5,
        review_any_ai_threshold=0.6,
    )
    managed = np.array([0.95, 0.6, 0.05, 0.05, 0.01])
    assisted = np.array([0.01, 0.1, 0.8, 0.6, 0.01])
    scores = pd.DataFrame({"score_ai_managed": managed, "score_ai_assisted": assisted})
    proposed = decide_actions(scores, policy)
    assert set(proposed.dropna()) == set(vocabulary.PROPOSED_ACTIONS)
    frame = pd.DataFrame(
        {
            "run_date": pd.Timestamp("2026-11-15"),
            "account_id": [f"a{i}" for i in range(5)],
            "score_human": 1 - managed - assisted,
            "score_ai_assisted": assisted,
            "score_ai_managed": managed,
            "proposed_action": proposed,
            "reasons": "r",
            "model_name": "m",
            "model_version": "1",
        }
    )
    summary = validate_frame(frame, "account_scores")
    assert summary.success, summary.to_markdown()


RULE_KEYS = {"not_null", "min", "max", "values"}  # tests/generic/column_rules.sql


def _dbt_models():
    for path in sorted((ROOT / "dbt_project" / "models").rglob("*.yml")):
        yield from yaml.safe_load(path.read_text()).get("models", [])


def _rules(column: dict) -> dict:
    """A column's value rules (``config: meta: rules:``, tests/generic/column_rules.sql)."""
    return ((column.get("config") or {}).get("meta") or {}).get("rules", {})


def _dbt_value_sets():
    """(model, column, values) of every value set a dbt yml declares: ``accepted_values``
    tests and the ``values`` of a column's rules."""
    for model in _dbt_models():
        for column in model.get("columns") or []:
            for test in column.get("data_tests", []) or []:
                if isinstance(test, dict) and "accepted_values" in test:
                    spec = test["accepted_values"]
                    yield model["name"], column["name"], (spec.get("arguments") or spec)["values"]
            if "values" in _rules(column):
                yield model["name"], column["name"], _rules(column)["values"]


def test_no_dbt_test_spells_a_declared_value_set():
    """The contract's value sets are checked once, row by row at ingest (validate_*.sql,
    held to the declaration below), and no row outside them reaches raw.*: a dbt test of
    a named set would be a second copy that can never fail. dbt's value sets are only
    the 0/1 flags the models compute (numbers, not a set another stage names)."""
    found = list(_dbt_value_sets())
    assert found, "the models' 0/1 flags are tested"
    assert [f for f in found if f[2] != [0, 1]] == []


def test_every_model_with_value_rules_tests_them():
    """A model that declares rules on its columns carries the one test that checks them,
    and every rule is one column_rules knows (it also refuses any other key)."""
    with_rules = 0
    for model in _dbt_models():
        rules = {c["name"]: _rules(c) for c in model.get("columns") or [] if _rules(c)}
        if not rules:
            continue
        with_rules += 1
        tests = [t for t in model.get("data_tests", []) or [] if isinstance(t, dict)]
        assert any("column_rules" in t for t in tests), model["name"]
        for column, rule in rules.items():
            assert set(rule) <= RULE_KEYS, (model["name"], column, rule)
            if "min" in rule and "max" in rule:
                assert rule["min"] < rule["max"], (model["name"], column, rule)
    assert with_rules >= 10


def test_the_mart_declares_a_value_rule_for_every_share_and_flag():
    """The mart's value rules live beside its columns (tested in one query by
    ``account_features_column_rules``): every share within [0, 1], every 0/1 flag a value
    set, every count and rate present."""
    (mart,) = (m for m in _dbt_models() if m["name"] == "account_features")
    assert any("column_rules" in t for t in mart.get("data_tests", []) if isinstance(t, dict)), (
        "the rules are declared but nothing tests them"
    )
    for column in mart["columns"]:
        name, rule = column["name"], _rules(column)
        assert set(rule) <= RULE_KEYS, (name, rule)
        if "min" in rule and "max" in rule:
            assert rule["min"] < rule["max"], (name, rule)
        if name.endswith("_share"):
            assert rule.get("min") == 0 and rule.get("max") == 1, (name, rule)
        if name.endswith("_per_active_day") or name in ("run_date", "account_id"):
            assert rule.get("not_null"), (name, rule)
        if name in ("signup_via_api", "avatar_shared", "bio_shared"):
            assert rule.get("values") == [0, 1], (name, rule)


def test_ingest_sql_value_lists_follow_the_declaration():
    """The row-by-row validation (``validate_<table>.sql``) spells its lists in SQL."""
    pattern = re.compile(r"when\s+(\w+)\s+not\s+in\s*\(([^)]*)\)", re.IGNORECASE)
    found = 0
    for path in sorted(
        (ROOT / "src" / "realpeople" / "defs" / "ingest" / "sql").glob("validate_*.sql")
    ):
        for column, items in pattern.findall(path.read_text()):
            values = tuple(v.strip().strip("'") for v in items.split(","))
            assert values == COLUMN_VALUES[column], (path.name, column)
            found += 1
    assert found >= 6


def test_publishing_sql_compares_only_declared_values():
    """A literal compared in the publishing SQL is a declared value (no stray spelling),
    and the values decide_enforcement.sql writes come in as parameters."""
    declared = {v for values in vocabulary.VALUE_SETS.values() for v in values}
    enum_columns = r"(?:action|proposed_action|verdict|source|outcome|event_type|client|decided_by)"
    comparison = re.compile(
        enum_columns + r"\s*(?:=|<>|in\s*\()\s*('[^)]*?')\s*(?:\)|$|\s)", re.MULTILINE
    )
    folder = ROOT / "src" / "realpeople" / "defs" / "publish" / "sql"
    found = 0
    for path in sorted(folder.glob("*.sql")):
        for group in comparison.findall(path.read_text()):
            for value in re.findall(r"'([^']*)'", group):
                assert value in declared, (path.name, value)
                found += 1
    assert found >= 10
    decide = (folder / "decide_enforcement.sql").read_text()
    for written in (
        *vocabulary.PROPOSED_ACTIONS,
        *vocabulary.DECIDED_BY,
        *vocabulary.QUEUE_REASONS.values(),
    ):
        assert f"'{written}'" not in decide, written


def test_the_simulator_and_ingest_read_the_declaration():
    from realpeople.simulator.schema import ALLOWED_VALUES

    for (_, column), values in ALLOWED_VALUES.items():
        assert values == set(COLUMN_VALUES[column])
