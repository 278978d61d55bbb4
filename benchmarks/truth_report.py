"""What a published run did to each kind of account, measured against the simulator's
ground truth (benchmarks and docs only: the pipeline never reads the truth).

Grain: one row per archetype (plus an all-accounts row), from one published date's
``enforcement_list`` and ``review_queue`` joined to the simulator's truth file.

    python benchmarks/truth_report.py --published data/published/2026-11-15 \
        --truth data/simulator/ground_truth.parquet [--json out.json]

Prints per archetype the share terminated, warned, queued for review and left alone;
then terminate precision and recall against the truth, people terminated, and people
given any action per 10,000 people.

``--warehouse W --threshold old=0.74 --threshold new=0.71`` also compares terminate
bars on the same scores (``account_scores`` of the run date): what each would have
terminated, against the truth (e.g. the thresholds of two policies, logged on the
training run as ``old_policy_terminate_threshold`` / ``deployed_policy_terminate_threshold``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

OUTCOMES = ("terminate", "warn_and_limit", "review", "none")


def outcomes(published: Path, truth: pd.DataFrame) -> pd.DataFrame:
    """One row per account of the truth: archetype, true_class and what the run did
    (``terminate``, ``warn_and_limit``, ``review`` for the moderators' queue, else ``none``)."""
    listed = pd.read_parquet(
        published / "enforcement_list.parquet", columns=["account_id", "action"]
    )
    queue_path = published / "review_queue.parquet"
    queued = (
        pd.read_parquet(queue_path, columns=["account_id"])
        if queue_path.exists()
        else pd.DataFrame({"account_id": []})
    )
    out = truth[["account_id", "archetype", "true_class"]].copy()
    action = out["account_id"].map(listed.set_index("account_id")["action"])
    action = action.where(
        action.notna(),
        out["account_id"].isin(queued["account_id"]).map({True: "review", False: "none"}),
    )
    out["outcome"] = action
    return out


def summarise(frame: pd.DataFrame) -> dict:
    """Per-archetype shares and the headline figures (see module docstring)."""
    shares = pd.crosstab(frame["archetype"], frame["outcome"], normalize="index").reindex(
        columns=list(OUTCOMES), fill_value=0.0
    )
    shares.insert(0, "n", frame.groupby("archetype").size())
    order = (
        frame[["archetype", "true_class"]]
        .drop_duplicates()
        .sort_values(["true_class", "archetype"])
    )
    shares = shares.loc[order["archetype"]]
    terminated = frame["outcome"] == "terminate"
    managed = frame["true_class"] == "ai_managed"
    people = frame["true_class"] == "human"
    actioned = frame["outcome"].isin(["terminate", "warn_and_limit"])
    return {
        "per_archetype": shares,
        "terminated": int(terminated.sum()),
        "terminate_precision": float((terminated & managed).sum() / max(1, terminated.sum())),
        "terminate_recall": float((terminated & managed).sum() / max(1, managed.sum())),
        "people_terminated": int((terminated & people).sum()),
        "people_actioned_per_10k": float(1e4 * (actioned & people).sum() / max(1, people.sum())),
        "queued_for_review": int((frame["outcome"] == "review").sum()),
        "ai_managed_queued_for_review": int(((frame["outcome"] == "review") & managed).sum()),
    }


def compare_thresholds(
    warehouse: Path, run_date: str, truth: pd.DataFrame, thresholds: dict[str, float]
) -> pd.DataFrame:
    """One row per named terminate bar: accounts at or above it on ``score_ai_managed``,
    precision and recall against the truth, people among them, per-archetype recall of
    the stealth rings."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        scores = con.execute(
            "select account_id, score_ai_managed from account_scores where run_date = ?", [run_date]
        ).df()
    frame = scores.merge(truth, on="account_id")
    managed = frame["true_class"] == "ai_managed"
    rows = []
    for name, bar in thresholds.items():
        hit = frame["score_ai_managed"] >= bar
        row = {
            "policy": name,
            "threshold": bar,
            "terminated": int(hit.sum()),
            "precision": float((hit & managed).sum() / max(1, hit.sum())),
            "recall": float((hit & managed).sum() / max(1, managed.sum())),
            "people_terminated": int((hit & (frame["true_class"] == "human")).sum()),
        }
        for arch in sorted(frame.loc[managed, "archetype"].unique()):
            mine = frame["archetype"] == arch
            row[f"recall_{arch}"] = float((hit & mine).sum() / max(1, mine.sum()))
        rows.append(row)
    return pd.DataFrame(rows)


def render(summary: dict) -> str:
    table = summary["per_archetype"].copy()
    for c in OUTCOMES:
        table[c] = (100 * table[c]).map(lambda v: f"{v:.1f} %")
    lines = [
        "| archetype | n | " + " | ".join(OUTCOMES) + " |",
        "| --- | --- |" + " --- |" * len(OUTCOMES),
    ]
    for name, row in table.iterrows():
        lines.append(f"| {name} | {row['n']:,} | " + " | ".join(row[c] for c in OUTCOMES) + " |")
    lines.append("")
    lines.append(
        f"terminated {summary['terminated']:,}: precision {summary['terminate_precision']:.3f}, "
        f"recall {summary['terminate_recall']:.3f} against the truth; people terminated "
        f"{summary['people_terminated']}; people given any action per 10,000 people "
        f"{summary['people_actioned_per_10k']:.1f}; queued for review {summary['queued_for_review']:,} "
        f"({summary['ai_managed_queued_for_review']:,} of them ai_managed)"
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--published", type=Path, required=True, help="published/<run date> folder")
    ap.add_argument(
        "--truth", type=Path, required=True, help="the simulator's ground_truth.parquet"
    )
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--warehouse", type=Path, help="warehouse.duckdb, for --threshold")
    ap.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a terminate bar to compare on the run date's scores (repeatable)",
    )
    args = ap.parse_args(argv)
    truth = pd.read_parquet(args.truth)
    summary = summarise(outcomes(args.published, truth))
    print(render(summary))
    if args.threshold:
        bars = {k: float(v) for k, v in (t.split("=", 1) for t in args.threshold)}
        table = compare_thresholds(args.warehouse, args.published.name, truth, bars)
        print()
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        summary["thresholds"] = table
    if args.json:
        data = dict(summary)
        data["per_archetype"] = summary["per_archetype"].reset_index().to_dict(orient="records")
        if "thresholds" in summary:
            data["thresholds"] = summary["thresholds"].to_dict(orient="records")
        args.json.write_text(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
