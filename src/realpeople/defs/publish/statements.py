"""Statements of reasons: what a regulator asks of every restriction (issue 18).

One statement per restriction that starts or changes, and per restriction lifted, with
the fields of the EU DSA Transparency Database's statement of reasons (the decision on
visibility or on the account, the ground, the category, the facts in words, whether
detection and decision were automated, territorial scope, application date) and the
redress offered. A decision that continues issues nothing: statements are append-only
across run dates (``statements_of_reasons`` in the warehouse; a re-run of a date
replaces only that date's). Every record is validated against
``schemas/statement_of_reasons.schema.json`` before it is stored; accounts appear as
keyed pseudonyms (``pseudonyms.py``), the statement id (``puid``) carries no account id.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from realpeople import vocabulary
from realpeople.defs.publish.pseudonyms import pseudonym
from realpeople.warehouse import sql_reader, transaction

sql = sql_reader(__file__)
SCHEMA_PATH = Path(__file__).parent / "schemas" / "statement_of_reasons.schema.json"

# The platform rule every action applies (the contractual ground of the DSA statement).
AUTHENTICITY_RULE = (
    "Terms of service, authenticity rule: an account must be run by the person "
    "who holds it; automation may not run an account, and AI may help a person "
    "write but not act for them"
)
EXPLANATION = {
    vocabulary.TERMINATE: "The account is run by automation rather than by the person who holds it.",
    vocabulary.WARN_AND_LIMIT: (
        "The account uses AI beyond writing help; it is warned and its content "
        "is shown to fewer people."
    ),
}
REDRESS = (
    "The account holder may appeal this decision within 6 months through the platform's internal "
    "complaint-handling system (DSA Art. 20), where a person reviews it; they may also use an "
    "out-of-court dispute settlement body (Art. 21) or the courts."
)
# Inauthentic accounts, in the database's version 2 taxonomy.
CATEGORY = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
KEYWORDS = ["KEYWORD_INAUTHENTIC_ACCOUNTS"]
CONTENT_TYPE = ["CONTENT_TYPE_TEXT", "CONTENT_TYPE_SYNTHETIC_MEDIA"]
# Where the restriction applies: the EEA (ISO 3166-1 alpha-2).
TERRITORIAL_SCOPE = [
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IS",
    "IT",
    "LI",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
]


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


# The schema's top-level keywords that depend on a record's field names only (not their
# values); every other check is a field's own subschema under `properties`.
_KEYWORDS_OF_NAMES = {"$schema", "$id", "title", "description", "type", "required"}
_KEYWORDS_OF_NAMES |= {"additionalProperties", "anyOf", "properties"}


class RecordChecker:
    """The schema's errors for a record, as ``validator().iter_errors`` finds them, with
    each distinct field value checked once.

    Validating every record in full cost ~1 ms each (23,000 statements on the first
    publication of a 100k-account platform: 24 s), and most fields repeat from record to
    record (the territorial scope, the ground, the category, the redress). The schema is a
    flat object whose top-level keywords (``required``, ``additionalProperties``, an
    ``anyOf`` of ``required``) depend on the field names only, and whose fields are
    checked each against its own subschema: so a record's errors are those of its set of
    field names (whether there are any, cached per set) plus those of each field's value
    (cached per value). A record whose field names break the schema, or another shape of
    schema, is validated in full."""

    def __init__(self):
        from jsonschema import Draft202012Validator

        full = schema()
        self._full = Draft202012Validator(full)
        anyof_names_only = all(set(part) == {"required"} for part in full.get("anyOf", []))
        self._split = set(full) <= _KEYWORDS_OF_NAMES and anyof_names_only
        # the same top level, every field allowed any value: the field names' checks only
        self._names = Draft202012Validator(
            {**full, "properties": {name: True for name in full.get("properties", {})}}
        )
        self._fields = {
            name: Draft202012Validator(sub) for name, sub in full.get("properties", {}).items()
        }
        self._cache: dict = {}

    def errors(self, record: dict) -> list[tuple[str, str]]:
        """(path, message) of every error, sorted by path; empty when the record is valid."""
        names = tuple(sorted(record))
        if names not in self._cache:
            self._cache[names] = any(True for _ in self._names.iter_errors(record))
        if not self._split or self._cache[names]:
            # in full: a message about the record as a whole quotes the record
            found = [
                ("/".join(map(str, e.path)), e.message) for e in self._full.iter_errors(record)
            ]
            return sorted(found)
        found = []
        for name, value in record.items():
            if name not in self._fields:
                continue  # not in the schema: the names' check reports it
            # by type too: True == 1 as keys, yet the schema tells them apart
            key = (name, type(value), value if _hashable(value) else json.dumps(value))
            if key not in self._cache:
                self._cache[key] = [
                    ("/".join(map(str, (name, *e.path))), e.message)
                    for e in self._fields[name].iter_errors(value)
                ]
            found += self._cache[key]
        return sorted(found)


def _hashable(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def decision_params() -> dict[str, str]:
    """The values decisions_today.sql and statement_changes.sql write, from src/realpeople/vocabulary.py."""
    new, continuing = vocabulary.NEW_OR_CONTINUING
    kind_action, kind_lift = vocabulary.STATEMENT_KINDS
    return {
        "by_model": vocabulary.BY_MODEL,
        "model_alone": vocabulary.MODEL_ALONE,
        "moderator_with_model": vocabulary.MODERATOR_WITH_MODEL,
        "moderator_against_model": vocabulary.MODERATOR_AGAINST_MODEL,
        "moderator_without_model": vocabulary.MODERATOR_WITHOUT_MODEL,
        "new": new,
        "continuing": continuing,
        "kind_action": kind_action,
        "kind_lift": kind_lift,
        "terminate": vocabulary.TERMINATE,
        "warn_and_limit": vocabulary.WARN_AND_LIMIT,
    }


def _subset(params: dict, query: str) -> dict:
    """Only the parameters the query names (DuckDB refuses unused named parameters)."""
    return {k: v for k, v in params.items() if f"${k}" in query}


def prepare_decisions(con: duckdb.DuckDBPyConnection, run_date: str) -> None:
    """The temp table ``decisions_today`` for the run date (decision path, first actioned,
    new or continuing)."""
    query = sql("decisions_today.sql")
    con.execute(query, _subset({"run_date": run_date, **decision_params()}, query))


def statement_record(row: dict, run_date: str, key: bytes) -> dict:
    """The published statement for one change (a row of statement_changes.sql)."""
    kind, action = row["kind"], row["action"]
    pseudo = pseudonym(row["account_id"], key)
    restriction = vocabulary.DSA_RESTRICTION[action]
    if kind == vocabulary.STATEMENT_KINDS[0]:
        facts = (
            f"{'Changed from ' + row['previous_action'] + ' to ' + action if row['previous_action'] else 'Action: ' + action}. "
            f"Evidence, strongest first: {row['facts']}."
        )
    else:
        facts = f"{row['facts']} (the {action} in force until {run_date})."
    record = {
        "puid": f"sor-{run_date}-{pseudo[len('p-') :]}-{kind}",
        **restriction,
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": AUTHENTICITY_RULE,
        "incompatible_content_explanation": EXPLANATION[action],
        "incompatible_content_illegal": "No",
        "category": CATEGORY,
        "category_specification": KEYWORDS,
        "content_type": CONTENT_TYPE,
        "decision_facts": facts[:5000],
        "source_type": "SOURCE_VOLUNTARY",
        # The model's scores flag every account a moderator sees, and no account is
        # actioned without them or a review of them: detection is automated.
        "automated_detection": "Yes",
        "automated_decision": vocabulary.AUTOMATED_DECISION[row["decision_path"]],
        "territorial_scope": TERRITORIAL_SCOPE,
        "content_date": str(row["created_on"] or run_date)[:10],
        "application_date": run_date,
        "x_kind": kind,
        "x_account_pseudonym": pseudo,
        "x_action": action,
        "x_previous_action": row["previous_action"],
        "x_decision_path": row["decision_path"],
        "x_redress": REDRESS,
        "x_run_date": run_date,
    }
    if kind == vocabulary.STATEMENT_KINDS[1]:
        end = (
            "end_date_account_restriction"
            if "decision_account" in restriction
            else "end_date_visibility_restriction"
        )
        record[end] = run_date
    return record


def record_statements(con: duckdb.DuckDBPyConnection, run_date: str, key: bytes) -> pd.DataFrame:
    """Replace the run date's statements and return them (one row per statement: id,
    kind, action, path, the record as JSON). Needs ``prepare_decisions`` first and the
    run date's enforcement list and review queue. Raises ``ValueError`` naming the field
    if a record breaks the schema (nothing is stored then)."""
    query = sql("statement_changes.sql")
    changes = con.execute(query, _subset({"run_date": run_date, **decision_params()}, query)).df()
    check = RecordChecker()
    rows = []
    for change in changes.to_dict("records"):
        change = {
            k: (None if (not isinstance(v, (list, str)) and pd.isna(v)) else v)
            for k, v in change.items()
        }
        record = statement_record(change, run_date, key)
        errors = check.errors(record)
        if errors:
            raise ValueError(
                f"statement {record['puid']} breaks {SCHEMA_PATH.name}: "
                + "; ".join(f"{path or '(record)'}: {message}" for path, message in errors[:3])
            )
        rows.append(
            {
                "statement_id": record["puid"],
                "account_id": change["account_id"],
                "run_date": run_date,
                "kind": change["kind"],
                "action": change["action"],
                "decision_path": change["decision_path"],
                "record": json.dumps(record, ensure_ascii=False, sort_keys=False),
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "statement_id",
            "account_id",
            "run_date",
            "kind",
            "action",
            "decision_path",
            "record",
        ],
    )
    with transaction(con):
        con.execute(sql("replace_statements.sql"), {"run_date": run_date})
        if len(frame):
            con.register("new_statements", frame)
            con.execute(sql("insert_statements.sql"))
            con.unregister("new_statements")
    return frame


def decisions_frame(con: duckdb.DuckDBPyConnection, run_date: str) -> pd.DataFrame:
    """decisions.parquet: the enforcement list's accounts with decided_by, decision path,
    first_actioned_on, new_or_continuing and the statement in force."""
    query = sql("decisions_for_run_date.sql")
    return con.execute(query, _subset({"run_date": run_date, **decision_params()}, query)).df()
