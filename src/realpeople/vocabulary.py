"""Every value a stage emits or a check accepts, declared once.

Grain: one constant per value set (an enum column, an action, a reason). The stages
that produce these values and the checks that guard them read them from here, so a
check can no longer reject what the stage before it legitimately emits (issue 13: the
``account_scores`` suite allowed only the two published actions while the policy also
proposes ``review``).

Who reads what:
- the ingest contract (``src/realpeople/contract.py``) and the simulator: the
  input enums of the activity data contract v1.1;
- ``src/realpeople/ml/`` (plain Python, no Dagster): classes, actions, the review band;
- the publishing rules and their SQL (``realpeople.defs.publish``): actions, who decided,
  queue reasons (passed to ``decide_enforcement.sql`` as parameters);
- the Great Expectations suites (``src/realpeople/expectations/suites/*.json``): a value set written
  ``{"$VALUES": "PROPOSED_ACTIONS"}`` is filled from here by ``expectations.runner``;
- dbt's ``accepted_values`` and the ingest SQL keep literal lists (dbt and DuckDB cannot
  import Python); ``tests/unit/test_vocabulary.py`` fails when one disagrees with this
  module.

This module imports nothing of the project, so ``ml``, ``simulator``, ``expectations``
and ``realpeople`` can all read it.
"""

from __future__ import annotations

# --- the activity data contract v1.1: input enums ---------------------------------
EVENT_TYPES: tuple[str, ...] = ("post", "comment", "like", "follow", "dm", "group_message", "login")
CLIENTS: tuple[str, ...] = ("app_ios", "app_android", "web", "api")
# Moderator verdicts, which are also the model's classes (in the model's column order).
VERDICTS: tuple[str, ...] = ("human", "ai_assisted", "ai_managed")
REVIEW_SOURCES: tuple[str, ...] = ("random_sample", "user_report", "appeal")
APPEAL_OUTCOMES: tuple[str, ...] = ("pending", "upheld", "overturned")

# --- what the platform does -----------------------------------------------------------
# The published enforcement actions (also the actions an appeal can contest).
TERMINATE = "terminate"
WARN_AND_LIMIT = "warn_and_limit"
ACTIONS: tuple[str, ...] = (TERMINATE, WARN_AND_LIMIT)
APPEAL_ACTIONS: tuple[str, ...] = ACTIONS
# The model's uncertain band: a moderator decides; never published as an action.
REVIEW = "review"
# What the policy may propose per account (``account_scores.proposed_action``; NULL: none).
PROPOSED_ACTIONS: tuple[str, ...] = (*ACTIONS, REVIEW)
# A moderator's verdict, acted on (None: no action).
VERDICT_ACTION: dict[str, str | None] = {
    "human": None,
    "ai_assisted": WARN_AND_LIMIT,
    "ai_managed": TERMINATE,
}
# The score a verdict is checked against before it acts (second review when the model
# flatly contradicts it): automation against P(ai_managed), AI writing help against
# P(any AI) = P(ai_assisted) + P(ai_managed).
VERDICT_SCORE: dict[str, str] = {"ai_managed": "score_ai_managed", "ai_assisted": "score_any_ai"}

# Who decided an enforcement-list row (``enforcement_list.decided_by``).
BY_MODEL = "model"
BY_MODERATOR = "moderator"
DECIDED_BY: tuple[str, ...] = (BY_MODEL, BY_MODERATOR)

# How a published decision came about (``decisions.decision_path``, issue 18): the model
# alone; a moderator's verdict the model agreed with (proposed the same action); one it
# did not (proposed another action or none); or a verdict acted on before any model acts.
MODEL_ALONE = "model"
MODERATOR_WITH_MODEL = "moderator_with_model"
MODERATOR_AGAINST_MODEL = "moderator_against_model"
MODERATOR_WITHOUT_MODEL = "moderator_without_model"
DECISION_PATHS: tuple[str, ...] = (
    MODEL_ALONE,
    MODERATOR_WITH_MODEL,
    MODERATOR_AGAINST_MODEL,
    MODERATOR_WITHOUT_MODEL,
)
# Whether an actioned account was already on an earlier published list.
NEW_OR_CONTINUING: tuple[str, ...] = ("new", "continuing")

# Statements of reasons (EU DSA Transparency Database fields, issue 18). A statement is
# issued when a restriction starts or changes (``action``) and when one is lifted (``lift``).
STATEMENT_KINDS: tuple[str, ...] = ("action", "lift")
# The DSA "automated_decision" value for each decision path: the model alone decides
# fully automatically; a moderator who confirmed the model's proposal decided with it
# (partially); a moderator against the model, or before any model, decided alone.
AUTOMATED_DECISION: dict[str, str] = {
    MODEL_ALONE: "AUTOMATED_DECISION_FULLY",
    MODERATOR_WITH_MODEL: "AUTOMATED_DECISION_PARTIALLY",
    MODERATOR_AGAINST_MODEL: "AUTOMATED_DECISION_NOT_AUTOMATED",
    MODERATOR_WITHOUT_MODEL: "AUTOMATED_DECISION_NOT_AUTOMATED",
}
# The restriction each action is, in the DSA's terms.
DSA_RESTRICTION: dict[str, dict[str, object]] = {
    TERMINATE: {"decision_account": "DECISION_ACCOUNT_TERMINATED"},
    WARN_AND_LIMIT: {"decision_visibility": ["DECISION_VISIBILITY_CONTENT_DEMOTED"]},
}

# Units of the published compliance metrics (``compliance_metrics.unit``): how the CSV
# writes the value (counts as integers, fractions in [0, 1], versions as text).
METRIC_UNITS: tuple[str, ...] = ("count", "fraction", "hours", "score", "version", "flag")

# Why an account is in the review queue (``review_queue.queue_reason``), in words a
# moderator reads. Keys name them in code and SQL parameters.
QUEUE_REASONS: dict[str, str] = {
    "second_review_ai_managed": "moderator found automation, the model disagrees: second review",
    "second_review_ai_assisted": "moderator found AI writing help, the model disagrees: second review",
    "cleared_flagged_again": "cleared on appeal, flagged again by the model",
    "uncertain_score": "uncertain model score",
    "terminate_held": "model would terminate, held by the guard: audited people flagged",
    "tied_to_actioned": "acts in step with accounts already actioned (coordination ring)",
}

# --- scores ---------------------------------------------------------------------------
PROBABILITY_RANGE: tuple[float, float] = (0.0, 1.0)

# Every value set above that a Great Expectations suite may reference by name.
VALUE_SETS: dict[str, tuple] = {
    "EVENT_TYPES": EVENT_TYPES,
    "CLIENTS": CLIENTS,
    "VERDICTS": VERDICTS,
    "REVIEW_SOURCES": REVIEW_SOURCES,
    "APPEAL_OUTCOMES": APPEAL_OUTCOMES,
    "ACTIONS": ACTIONS,
    "APPEAL_ACTIONS": APPEAL_ACTIONS,
    "PROPOSED_ACTIONS": PROPOSED_ACTIONS,
    "DECIDED_BY": DECIDED_BY,
    "QUEUE_REASONS": tuple(QUEUE_REASONS.values()),
    "DECISION_PATHS": DECISION_PATHS,
    "NEW_OR_CONTINUING": NEW_OR_CONTINUING,
    "METRIC_UNITS": METRIC_UNITS,
}
