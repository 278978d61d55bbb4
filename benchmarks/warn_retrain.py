"""Retrain on a built world and count who the model's own actions reach, against the
simulator's ground truth (benchmarks and docs only: the pipeline never reads the truth).

Grain: one line per training seed (the same training set, ``ml.train.train_model`` with
that seed and the whole search), then, with ``--explain``, one line per archetype of the
people warned: the features that pushed them towards ``ai_assisted`` (TreeSHAP, the
``ai_assisted`` raw score minus the ``human`` one, mean over those people), their median
and the typical person's.

    python benchmarks/warn_retrain.py --warehouse data/warehouse.duckdb \
        --truth data/simulator/ground_truth.parquet --run-date 2026-11-15 --seeds 0 1 2 --explain
    ... --params '{"feature_fraction": 0.3}'     # a variant, over the same seeds

After the seeds, one line on the people each seed terminated: by archetype, and how many
every seed terminated (those the training randomness does not save) or any seed did.

The actions are the pipeline's (``account_scores``): ``ml.policy.guarded_actions``, the
policy's actions after the terminate and warn guards on the run date's audited verdicts,
with the settings' allowances.
Moderators' verdicts and ring evidence are not applied, so recall here is the model's
alone (``truth_report.py`` measures the published run). Training seeds move the warn and
terminate bars a lot with a few dozen reviews per class: compare variants over several.
docs/models.md ("What the wrong warnings rested on") was measured with it.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from realpeople.defs.model.assets import sql, training_set
from realpeople.ml.explain import contributions
from realpeople.ml.features import feature_matrix
from realpeople.ml.policy import guarded_actions
from realpeople.ml.score import probabilities
from realpeople.ml.train import train_model
from realpeople.settings import load_settings


def model_actions(features: pd.DataFrame, verdicts: pd.DataFrame, result, settings):
    """(scores, actions) of a trained ``result`` on the run date's ``features``, after both
    guards, as ``account_scores`` decides them. Grain: one row per account."""
    scores = probabilities(
        result.model.predict(feature_matrix(features, result.booster.feature_name()))
    )
    scores.insert(0, "account_id", features["account_id"].to_numpy())
    audited = verdicts[verdicts["audited"]].merge(scores, on="account_id")
    decided = guarded_actions(
        scores,
        audited,
        result.policy,
        terminate_per_10k=settings.terminate_guard_per_10k,
        warn_per_10k=settings.warn_guard_per_10k,
        label_noise=settings.label_noise,
    )
    return scores, decided.actions, decided.wguard


def explain_warned(features: pd.DataFrame, outcome: pd.DataFrame, result, top: int = 4) -> None:
    """Per archetype of the people warned: the features pushing them towards ai_assisted."""
    warned = (outcome["true_class"] == "human") & (outcome["action"] == "warn_and_limit")
    if not warned.any():
        return
    x = feature_matrix(features[warned.to_numpy()], result.booster.feature_name()).reset_index(
        drop=True
    )
    push = contributions(x, result.model, "ai_assisted") - contributions(x, result.model, "human")
    archetypes = outcome.loc[warned, "archetype"].reset_index(drop=True)
    typical = result.model.typical_person
    for archetype, rows in archetypes.groupby(archetypes).groups.items():
        mean = push.loc[rows].mean().sort_values(ascending=False).head(top)
        median = x.loc[rows, mean.index].median()
        parts = [
            f"{name} {value:+.2f} (median {median[name]:.3g}, typical {typical.get(name, np.nan):.3g})"
            for name, value in mean.items()
        ]
        print(f"    {archetype} ({len(rows)} warned): " + "; ".join(parts))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warehouse", type=Path, required=True)
    ap.add_argument("--truth", type=Path, required=True)
    ap.add_argument("--run-date", type=date.fromisoformat, required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--explain", action="store_true", help="SHAP of the people warned")
    ap.add_argument(
        "--params", type=json.loads, default=None, help="LightGBM overrides for every candidate"
    )
    args = ap.parse_args(argv)
    settings = load_settings()

    con = duckdb.connect(str(args.warehouse), read_only=True)
    as_of = con.execute(sql("latest_feature_date.sql")).fetchone()[0]
    training = training_set(con, as_of, settings.feature_window_days)
    features = con.execute(sql("features_for_run_date.sql"), {"run_date": args.run_date}).df()
    verdicts = con.execute(sql("latest_verdicts.sql"), {"run_date": args.run_date}).df()
    con.close()
    truth = pd.read_parquet(args.truth, columns=["account_id", "archetype", "true_class"])
    features = features.merge(truth, on="account_id", how="left")
    people = features["true_class"] == "human"
    managed = features["true_class"] == "ai_managed"
    assisted = features["archetype"] == "ai_assisted"
    print(f"{len(training)} training reviews: {training['label'].value_counts().to_dict()}")

    stealth = features["archetype"] == "ai_managed_stealth"
    terminated_people = []
    for seed in args.seeds:
        result = train_model(
            training,
            seed=seed,
            params=args.params,
            terminate_precision=settings.terminate_precision,
            label_noise=settings.label_noise,
            search_seconds=float("inf"),
        )
        _, actions, wguard = model_actions(features, verdicts, result, settings)
        action = actions.to_numpy()
        warn, term = action == "warn_and_limit", action == "terminate"
        by = features.loc[people & warn, "archetype"].value_counts().to_dict()
        print(
            f"seed {seed}: warn bar {wguard.policy_bar:.3f} -> {wguard.acting_bar:.3f}, "
            f"terminate bar {result.policy.terminate_threshold:.3f}; people warned or "
            f"terminated per 10,000 {1e4 * (people & (warn | term)).sum() / people.sum():.1f}; "
            f"ai_assisted warned {(assisted & warn).sum() / assisted.sum():.1%}; "
            f"recall {(managed & term).sum() / managed.sum():.3f} "
            f"(stealth {(stealth & term).sum() / max(1, stealth.sum()):.3f}); "
            f"people terminated {(people & term).sum()} "
            f"{features.loc[people & term, 'archetype'].value_counts().to_dict()}; "
            f"people warned by archetype {by}"
        )
        terminated_people.append(set(features.loc[people & term, "account_id"]))
        if args.explain:
            outcome = features[["archetype", "true_class"]].assign(action=action)
            explain_warned(features, outcome, result)
    every, some = set.intersection(*terminated_people), set.union(*terminated_people)
    print(
        f"people terminated over {len(args.seeds)} seeds: by every seed {len(every)}, "
        f"by some seed {len(some)} "
        f"{features.loc[features['account_id'].isin(some), 'archetype'].value_counts().to_dict()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
