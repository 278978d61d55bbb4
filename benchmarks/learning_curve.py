"""Learning curve: what each extra review buys, chosen by the model (uncertainty) or at
random (benchmarks and docs only: the simulator's truth answers as the moderators would).

Starts from a published world's real reviews (the training set the pipeline builds:
``src/realpeople/defs/model/sql/training_set.sql``), then spends reviews in batches: each
batch is answered from the ground truth with the verdict noise of the label regime
(``--noise``, 2 %), the model is retrained (``ml.train.train_model``, no search), and its
own policy is applied to every account of the snapshot. New reviews are dated at random over the days the real
ones span (the model learns from the older three quarters of reviews only). Figures against the truth per
step: terminate recall and precision at the model's own bar, people terminated, and the
ranking's recall at 0.99 precision (the best any bar could do). Everything is on one
feature snapshot (``--snapshot``, the one the training rows come from), so the curve
measures labels, not the shift between snapshots (see the terminate guard in
docs/models.md).

    python benchmarks/learning_curve.py --warehouse W --truth ground_truth.parquet \
        --snapshot 2026-11-08 --batch 25 --steps 8 --repeats 2 [--png docs/learning-curve.png]

Grain of the output: one row per strategy, repeat and step.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from realpeople.ml.active import review_requests
from realpeople.ml.features import CLASSES
from realpeople.ml.policy import decide_actions, recall_at_precision
from realpeople.ml.score import score_accounts
from realpeople.ml.train import train_model

TRAINING_SET = (
    Path(__file__).resolve().parent.parent / "src/realpeople/defs/model/sql/training_set.sql"
)


def answer(accounts: pd.Series, truth: pd.Series, noise: float, rng) -> pd.Series:
    """The truth's verdicts, a share ``noise`` of them flipped to another class."""
    verdicts = truth.reindex(accounts).to_numpy().copy()
    flip = rng.random(len(verdicts)) < noise
    for i in np.flatnonzero(flip):
        verdicts[i] = rng.choice([c for c in CLASSES if c != verdicts[i]])
    return pd.Series(verdicts, index=accounts.to_numpy())


def measure(training: pd.DataFrame, snapshot: pd.DataFrame, truth: pd.DataFrame, seed: int) -> dict:
    result = train_model(training, search=False, seed=seed)
    scores = score_accounts(snapshot, result.model)
    action = decide_actions(scores, result.policy)
    frame = scores.assign(action=action.to_numpy()).merge(truth, on="account_id")
    hit = frame["action"] == "terminate"
    managed = frame["true_class"] == "ai_managed"
    stealth = frame["archetype"] == "ai_managed_stealth"
    return {
        "terminate_recall": float((hit & managed).sum() / managed.sum()),
        "terminate_precision": float((hit & managed).sum() / max(1, hit.sum())),
        "people_terminated": int((hit & (frame["true_class"] == "human")).sum()),
        "stealth_recall": float((hit & stealth).sum() / max(1, stealth.sum())),
        "ranking_recall_at_0.99": recall_at_precision(
            managed.to_numpy(), frame["score_ai_managed"].to_numpy(), 0.99
        ),
        "bar": result.policy.terminate_threshold,
    }, scores


def run(
    warehouse: Path,
    truth: pd.DataFrame,
    snapshot_date: str,
    batch: int,
    steps: int,
    repeats: int,
    noise: float,
) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        base = con.execute(
            TRAINING_SET.read_text(), {"as_of": "9999-12-31", "max_feature_age_days": 7}
        ).df()
        snapshot = con.execute(
            "select * from account_features where run_date = ?", [snapshot_date]
        ).df()
    truth_class = truth.set_index("account_id")["true_class"]
    rows = []
    last_review = pd.to_datetime(base["reviewed_at"]).max()
    first_review = pd.to_datetime(base["reviewed_at"]).min()
    for strategy in ("active", "random"):
        for repeat in range(repeats):
            rng = np.random.default_rng(100 + repeat)
            training = base.copy()
            for step in range(steps + 1):
                t0 = time.perf_counter()
                figures, scores = measure(training, snapshot, truth, seed=repeat)
                rows.append(
                    {
                        "strategy": strategy,
                        "repeat": repeat,
                        "extra_reviews": step * batch,
                        "reviews": len(training),
                        **figures,
                        "seconds": time.perf_counter() - t0,
                    }
                )
                print(rows[-1], flush=True)
                if step == steps:
                    break
                asked = review_requests(
                    scores,
                    n_model=batch if strategy == "active" else 0,
                    n_random=0 if strategy == "active" else batch,
                    reviewed=set(training["account_id"]),
                    seed=int(rng.integers(1 << 31)),
                )
                chosen = snapshot.set_index("account_id").loc[asked["account_id"]].reset_index()
                verdicts = answer(chosen["account_id"], truth_class, noise, rng)
                # Reviewed over the same days as the real ones: the model is fitted on the
                # older three quarters of reviews only (the newest quarter tests it), so
                # reviews all dated after the others would only ever test, never teach.
                spread = rng.uniform(0, 1, len(chosen)) * (last_review - first_review)
                new = chosen.assign(
                    feature_date=pd.Timestamp(snapshot_date),
                    label=verdicts.to_numpy(),
                    source="user_report" if strategy == "active" else "random_sample",
                    reviewed_at=first_review + spread,
                )
                training = pd.concat(
                    [training, new.drop(columns=["run_date"], errors="ignore")], ignore_index=True
                )
    return pd.DataFrame(rows)


def plot(curve: pd.DataFrame, png: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    colours = {"active": "tab:blue", "random": "tab:orange"}
    for strategy, part in curve.groupby("strategy"):
        mean = part.groupby("extra_reviews").mean(numeric_only=True)
        colour = colours.get(strategy)
        axes[0].plot(
            mean.index,
            mean["ranking_recall_at_0.99"],
            marker="o",
            color=colour,
            label=f"{strategy}: ranking, best bar",
        )
        axes[0].plot(
            mean.index,
            mean["terminate_recall"],
            marker="x",
            linestyle="--",
            color=colour,
            label=f"{strategy}: at the model's own bar",
        )
        axes[1].plot(
            mean.index, mean["people_terminated"], marker="o", color=colour, label=strategy
        )
    axes[0].set(
        xlabel="reviews added",
        ylabel="terminate recall (truth)",
        title="recall at precision 0.99 against the truth",
    )
    axes[1].set(
        xlabel="reviews added", ylabel="people terminated (truth)", title="people terminated"
    )
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warehouse", type=Path, required=True)
    ap.add_argument("--truth", type=Path, required=True)
    ap.add_argument(
        "--snapshot", required=True, help="account_features run date the rows come from"
    )
    ap.add_argument("--batch", type=int, default=25)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--noise", type=float, default=0.02)
    ap.add_argument("--csv", type=Path)
    ap.add_argument("--png", type=Path)
    ap.add_argument("--title", default="")
    ap.add_argument("--from-csv", type=Path, help="redraw --png from a curve written by --csv")
    args = ap.parse_args(argv)
    if args.from_csv:
        plot(pd.read_csv(args.from_csv), args.png, args.title)
        return 0
    curve = run(
        args.warehouse,
        pd.read_parquet(args.truth),
        args.snapshot,
        args.batch,
        args.steps,
        args.repeats,
        args.noise,
    )
    summary = (
        curve.groupby(["strategy", "extra_reviews"])
        .mean(numeric_only=True)
        .drop(columns=["repeat"])
    )
    print(summary.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.csv:
        curve.to_csv(args.csv, index=False)
    if args.png:
        plot(curve, args.png, args.title)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
