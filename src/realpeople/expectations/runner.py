"""Validate pandas DataFrames against the JSON expectation suites in ``suites/``.

The suites live here, in the repository, as GX 1.x suite JSON (value sets refer to
``realpeople.vocabulary``, the mart's columns to ``ml/features.py``).
:func:`validate_frame` validates a frame against one:

- with ``gx_root`` (what the pipeline's checks pass: ``<data>/gx``), the GX way: a
  file-backed Data Context there holds the suite (refreshed from this folder on every
  validation), a ValidationDefinition and a Checkpoint per suite; the Checkpoint's
  UpdateDataDocsAction keeps Data Docs with the history of every validation, and the
  summary carries the URL of this validation's page;
- without it (tests, notebooks), an ephemeral in-memory context: nothing is written.

The caller reads the table from DuckDB itself: GX's SQL datasource over duckdb-engine
resolves some metrics wrongly, so the frame goes through the pandas datasource.
``import great_expectations`` takes several seconds, so it happens lazily, on the first
validation, and each context is built once per process and reused.

Nothing here imports Dagster: the asset checks in ``realpeople.defs`` call
:func:`validate_frame` and turn :class:`ValidationSummary` into check results.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import math
import os
import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

SUITES_DIR = Path(__file__).resolve().parent / "suites"

_SAMPLE_SIZE = 5
_MAX_TEXT = 200  # longest string kept in a sample / observed value
_INDEX_KEY = "_rp_index"  # injected into each expectation's meta to restore suite order

# The Data Docs index lists this many newest validations. GX rebuilds the index after
# every validation by reading every result it lists: unbounded, a check cost ~6 ms more
# per validation kept (1.4 s at 50, 1.7 s at 100; three checks a run date, so ~10 s per
# check after a year of daily runs). Older validations keep their own pages (each check
# result in Dagster links its page) and their results in the store.
DOCS_INDEX_VALIDATIONS = 90

_lock = threading.RLock()
_gx_state: dict[str, tuple[Any, Any, Any]] = {}
_DATASOURCE, _ASSET, _BATCH = "realpeople", "frames", "whole_frame"
_RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": _SAMPLE_SIZE,
    "include_unexpected_rows": False,
}


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class FailedExpectation:
    expectation: str  # the expectation type, e.g. "expect_column_values_to_be_unique"
    column: str | None
    kwargs: dict[str, Any]  # JSON-safe, parameters resolved, without GX's batch_id
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    sample: list[Any] = field(default_factory=list)  # up to 5 unexpected values
    observed_value: Any = None
    exception: str | None = None  # set when the expectation could not be evaluated
    notes: str | None = None  # the suite's explanation of the expectation


@dataclass(frozen=True)
class PassedExpectation:
    expectation: str
    column: str | None
    kwargs: dict[str, Any]
    observed_value: Any = None
    notes: str | None = None


@dataclass(frozen=True)
class ValidationSummary:
    success: bool
    suite: str
    evaluated: int
    failed: list[FailedExpectation]
    passed: list[PassedExpectation] = field(default_factory=list)
    severity: str = "blocking"  # from the suite's meta: "blocking" or "warning"
    description: str = ""
    row_count: int = 0
    batch_id: str = ""
    validated_at: str = ""  # ISO-8601 UTC
    parameters: dict[str, Any] = field(default_factory=dict)
    gx_version: str = ""
    docs_url: str = ""  # this validation's page in Data Docs (file context only)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_markdown(self, max_rows: int = 50) -> str:
        """A short Markdown text for Dagster metadata: status line and a table of failures."""
        status = "passed" if self.success else "FAILED"
        head = (
            f"**{self.suite}** ({self.severity}): {status} — "
            f"{self.evaluated - len(self.failed)}/{self.evaluated} expectations met "
            f"on {self.row_count} rows"
        )
        if not self.failed:
            return head + "."
        lines = [
            head + ".",
            "",
            "| expectation | column | unexpected | % | sample | observed |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for f in self.failed[:max_rows]:
            pct = "" if f.unexpected_percent is None else f"{f.unexpected_percent:.2f}"
            cnt = "" if f.unexpected_count is None else str(f.unexpected_count)
            if f.exception is not None:
                observed = f"error: {f.exception}"
            else:
                observed = "" if f.observed_value is None else _short_json(f.observed_value)
            lines.append(
                "| "
                + " | ".join(
                    _md_cell(v)
                    for v in (
                        f.expectation,
                        f.column or "",
                        cnt,
                        pct,
                        _short_json(f.sample) if f.sample else "",
                        observed,
                    )
                )
                + " |"
            )
        if len(self.failed) > max_rows:
            lines.append(f"\n… and {len(self.failed) - max_rows} more.")
        return "\n".join(lines)


# --------------------------------------------------------------------------- suites


def list_suites() -> list[str]:
    return sorted(p.stem for p in SUITES_DIR.glob("*.json"))


def load_suite(name: str) -> dict[str, Any]:
    """The suite ``suites/<name>.json`` as a dict (GX 1.x suite JSON)."""
    stem = name.removesuffix(".json")
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", stem):
        raise ValueError(f"invalid suite name: {name!r}")
    path = SUITES_DIR / f"{stem}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"no expectation suite {stem!r} (known: {', '.join(list_suites())})"
        )
    with path.open(encoding="utf-8") as fh:
        suite = json.load(fh)
    if not isinstance(suite.get("expectations"), list) or not suite.get("name"):
        raise ValueError(f"{path}: a suite needs a 'name' and a list of 'expectations'")
    for i, exp in enumerate(suite["expectations"]):
        if (
            not isinstance(exp, dict)
            or "type" not in exp
            or not isinstance(exp.get("kwargs"), dict)
        ):
            raise ValueError(f"{path}: expectation #{i} needs 'type' and 'kwargs'")
        exp["kwargs"] = {k: _resolve_values(v, path) for k, v in exp["kwargs"].items()}
    return suite


VALUES_REF = "$VALUES"
COLUMNS_REF = "$COLUMNS"


def _resolve_values(value: Any, path: Path) -> Any:
    """A suite never spells out a list another stage declares, so the two cannot disagree:

    - ``{"$VALUES": "PROPOSED_ACTIONS"}`` -> the value set declared in ``vocabulary``;
    - ``{"$COLUMNS": "account_features"}`` -> the mart's columns, ``ml/features.py``
      ``MART_COLUMNS`` (the one table whose columns a suite lists).
    """
    if isinstance(value, dict) and set(value) == {VALUES_REF}:
        from realpeople import vocabulary

        name = value[VALUES_REF]
        if name not in vocabulary.VALUE_SETS:
            raise ValueError(
                f"{path}: unknown value set {name!r} "
                f"(known: {', '.join(sorted(vocabulary.VALUE_SETS))})"
            )
        return list(vocabulary.VALUE_SETS[name])
    if isinstance(value, dict) and set(value) == {COLUMNS_REF}:
        from realpeople.ml.features import MART_COLUMNS

        if value[COLUMNS_REF] != "account_features":
            raise ValueError(
                f"{path}: no column list declared for {value[COLUMNS_REF]!r} "
                "(known: account_features)"
            )
        return list(MART_COLUMNS)
    return value


# --------------------------------------------------------------------------- GX


def _import_gx():
    # No usage statistics, no version check, nothing that phones home.
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    os.environ.setdefault("GX_USAGE_STATISTICS_ENABLED", "false")
    import great_expectations as gx

    return gx


def _batch_definition(context) -> Any:
    """The pandas datasource's whole-frame batch definition, created once per context."""
    try:
        source = context.data_sources.get(_DATASOURCE)
    except (KeyError, ValueError, LookupError):
        source = context.data_sources.add_pandas(_DATASOURCE)
    try:
        asset = source.get_asset(_ASSET)
    except (KeyError, ValueError, LookupError):
        asset = source.add_dataframe_asset(_ASSET)
    try:
        return asset.get_batch_definition(_BATCH)
    except (KeyError, ValueError, LookupError):
        return asset.add_batch_definition_whole_dataframe(_BATCH)


def _context(gx_root: Path | None) -> tuple[Any, Any, Any]:
    """(great_expectations module, context, batch definition) for ``gx_root`` (None: an
    ephemeral context), built once per process and root."""
    key = str(Path(gx_root).resolve()) if gx_root is not None else ""
    with _lock:
        if key not in _gx_state:
            gx = _import_gx()
            from great_expectations.data_context.types.base import (
                DataContextConfig,
                InMemoryStoreBackendDefaults,
                ProgressBarsConfig,
            )

            quiet = ProgressBarsConfig(globally=False, metric_calculations=False)
            if gx_root is None:
                config = DataContextConfig(
                    store_backend_defaults=InMemoryStoreBackendDefaults(),
                    analytics_enabled=False,
                    progress_bars=quiet,
                )
                context = gx.get_context(mode="ephemeral", project_config=config)
            else:
                Path(gx_root).mkdir(parents=True, exist_ok=True)
                context = gx.get_context(mode="file", project_root_dir=str(gx_root))
                context.variables.progress_bars = quiet
                context.variables.analytics_enabled = False
                sites = context.variables.data_docs_sites or {}
                for site in sites.values():
                    index = site.setdefault(
                        "site_index_builder", {"class_name": "DefaultSiteIndexBuilder"}
                    )
                    index["validation_results_limit"] = DOCS_INDEX_VALIDATIONS
                context.variables.data_docs_sites = sites
                context.variables.save()
            _gx_state[key] = (gx, context, _batch_definition(context))
        return _gx_state[key]


def validate_frame(
    frame: pd.DataFrame,
    suite_name: str,
    *,
    extra_params: dict | None = None,
    batch_id: str | None = None,
    gx_root: Path | None = None,
) -> ValidationSummary:
    """Validate ``frame`` against ``suites/<suite_name>.json``.

    ``extra_params`` fills (or overrides) the suite's ``$PARAMETER`` values, whose
    defaults are the suite's ``suite_parameters``. ``batch_id`` names the batch (the
    Checkpoint run's name in Data Docs; default: the suite name and the time).
    ``gx_root``: run the suite's Checkpoint in the file-backed context there, keeping
    the result and Data Docs (see the module docstring); else validate in memory.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    spec = load_suite(suite_name)
    params = {**(spec.get("suite_parameters") or {}), **(extra_params or {})}
    now = _dt.datetime.now(_dt.UTC)

    expectations = []
    notes_by_index: dict[int, str | None] = {}
    for i, exp in enumerate(spec["expectations"]):
        meta = dict(exp.get("meta") or {})
        notes_by_index[i] = meta.get("notes") or exp.get("description")
        meta[_INDEX_KEY] = i
        expectations.append(
            {k: v for k, v in exp.items() if k in ("type", "kwargs", "description", "severity")}
            | {"meta": meta}
        )

    batch_id = batch_id or f"{spec['name']}-{now.strftime('%Y%m%dT%H%M%S%fZ')}"
    docs_url = ""
    with _lock:
        gx, context, batch_definition = _context(gx_root)
        suite = gx.ExpectationSuite(
            name=spec["name"], expectations=expectations, meta=dict(spec.get("meta") or {})
        )
        if gx_root is None:
            batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
            result = batch.validate(
                suite, expectation_parameters=params, result_format=_RESULT_FORMAT
            )
        else:
            from great_expectations.checkpoint import UpdateDataDocsAction
            from great_expectations.core.run_identifier import RunIdentifier

            # The repository's suite is the truth: the context's copy is refreshed each time.
            suite = context.suites.add_or_update(suite)
            definition = context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=spec["name"], data=batch_definition, suite=suite)
            )
            checkpoint = context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=spec["name"],
                    validation_definitions=[definition],
                    actions=[UpdateDataDocsAction(name="update_data_docs")],
                    result_format=_RESULT_FORMAT,
                )
            )
            run = checkpoint.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=params,
                run_id=RunIdentifier(run_name=batch_id, run_time=now),
            )
            ((identifier, result),) = run.run_results.items()
            urls = context.get_docs_sites_urls(resource_identifier=identifier)
            docs_url = urls[0]["site_url"] if urls else ""

    failed: list[tuple[int, FailedExpectation]] = []
    passed: list[tuple[int, PassedExpectation]] = []
    for n, r in enumerate(result.results):
        cfg = r.expectation_config
        meta = dict(cfg.meta or {})
        index = meta.get(_INDEX_KEY, 10_000 + n)
        kwargs = {k: _json_safe(v) for k, v in (cfg.kwargs or {}).items() if k != "batch_id"}
        column = kwargs.get("column")
        res = r.result or {}
        observed = _json_safe(res.get("observed_value"))
        notes = notes_by_index.get(index)
        if r.success:
            passed.append((index, PassedExpectation(cfg.type, column, kwargs, observed, notes)))
            continue
        sample = res.get("partial_unexpected_list")
        if not sample:
            mismatched = (res.get("details") or {}).get("mismatched")
            sample = mismatched if isinstance(mismatched, list) else []
            if isinstance(mismatched, dict):  # expect_table_columns_to_match_set
                sample = [f"{k}: {v}" for k, vs in mismatched.items() for v in (vs or [])]
        failed.append(
            (
                index,
                FailedExpectation(
                    expectation=cfg.type,
                    column=column,
                    kwargs=kwargs,
                    unexpected_count=_int_or_none(res.get("unexpected_count")),
                    unexpected_percent=_float_or_none(res.get("unexpected_percent")),
                    sample=[_json_safe(v) for v in list(sample)[:_SAMPLE_SIZE]],
                    observed_value=observed,
                    exception=_exception_message(r.exception_info),
                    notes=notes,
                ),
            )
        )

    failed.sort(key=lambda t: t[0])
    passed.sort(key=lambda t: t[0])
    meta = spec.get("meta") or {}
    return ValidationSummary(
        success=bool(result.success),
        suite=spec["name"],
        evaluated=len(result.results),
        failed=[f for _, f in failed],
        passed=[p for _, p in passed],
        severity=str(meta.get("severity", "blocking")),
        description=str(meta.get("description", "")),
        row_count=len(frame),
        batch_id=batch_id,
        validated_at=now.isoformat(timespec="seconds"),
        parameters={k: _json_safe(v) for k, v in params.items()},
        gx_version=str(getattr(gx, "__version__", "")),
        docs_url=docs_url,
    )


def _exception_message(info: Any) -> str | None:
    """GX 1.x gives either {"raised_exception": bool, "exception_message": ...} or,
    when a metric failed, {"<MetricConfigurationID ...>": {that same shape}}."""
    if not isinstance(info, dict) or not info:
        return None
    if "raised_exception" in info:
        if not info.get("raised_exception"):
            return None
        return _clip(str(info.get("exception_message") or "exception"))
    messages = [
        str(v.get("exception_message") or "exception")
        for v in info.values()
        if isinstance(v, dict) and v.get("raised_exception", True)
    ]
    return _clip("; ".join(dict.fromkeys(messages))) if messages else None


# --------------------------------------------------------------------------- helpers


def _clip(text: str, limit: int = _MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_safe(value: Any, depth: int = 0) -> Any:
    """Plain JSON types only; long strings clipped, NaN/NA/NaT as None."""
    if depth > 6:
        return _clip(repr(value))
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _clip(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [_json_safe(v, depth + 1) for v in items]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, pd.Timedelta | _dt.timedelta):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return _clip(value.hex())
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        try:
            return _json_safe(item(), depth + 1)
        except (TypeError, ValueError):
            pass
    tolist = getattr(value, "tolist", None)  # numpy / pandas arrays
    if callable(tolist):
        return _json_safe(tolist(), depth + 1)
    return _clip(str(value))


def _short_json(value: Any, limit: int = 120) -> str:
    return _clip(json.dumps(value, ensure_ascii=False, default=str), limit)


def _md_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _int_or_none(v: Any) -> int | None:
    try:
        return None if v is None else int(v)
    except (TypeError, ValueError):
        return None


def _float_or_none(v: Any) -> float | None:
    try:
        f = None if v is None else float(v)
    except (TypeError, ValueError):
        return None
    return f if f is not None and math.isfinite(f) else None
