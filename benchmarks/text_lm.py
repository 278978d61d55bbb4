"""The supervised text model (``ml.textlm``) on a world the pipeline built, against the
simulator's truth: does it separate automation from people, archetype by archetype, and
what does it cost? A script, not a test; prints a table and one JSON line.

    REALPEOPLE_DATA_DIR=... python benchmarks/text_lm.py --run-date 2026-11-15 \
        --truth .../simulator/ground_truth.parquet

The model is fitted as training would fit it: on the texts of the accounts reviewed
``human`` and ``ai_managed`` (latest verdict, point-in-time snapshot: the training set of
``defs/model/assets.py``), each account's texts those of its snapshot's window
(``sql/training_texts.sql``). Reviewed accounts are scored out of fold
(``ml.textlm.cross_fit_scores``, 5 folds by review time), every other account by the
model of all reviews (``sql/window_texts.sql``: each account's distinct texts in the run
date's window). Per archetype: the median of each score and, for the mean score, the
probability that a random account of the archetype outranks a random stealth account
(0.5: no better than a coin). Timings are wall clock, with the rows and distinct texts
handled, and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from realpeople.warehouse import sql_reader

sql = sql_reader(__file__)
FOLDS = 5


def outranks(a: np.ndarray, b: np.ndarray) -> float:
    """P(random a > random b), ties half."""
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if not len(a) or not len(b):
        return float("nan")
    return float((a[:, None] > b[None, :]).mean() + 0.5 * (a[:, None] == b[None, :]).mean())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run-date", required=True)
    parser.add_argument("--truth", required=True)
    args = parser.parse_args()

    from realpeople.defs.model.assets import training_set
    from realpeople.ml.textlm import (
        TEXT_LM_FEATURES,
        account_text_scores,
        cross_fit_scores,
        fit_text_lm,
    )
    from realpeople.settings import load_settings

    settings = load_settings()
    window = settings.feature_window_days
    out: dict = {"run_date": args.run_date}
    with duckdb.connect(settings.warehouse_path, read_only=True) as con:
        training = training_set(con, date.fromisoformat(args.run_date), window)
        con.register("reviewed", training.loc[:, ["account_id", "feature_date"]])
        t0 = time.perf_counter()
        texts = con.execute(sql("training_texts.sql"), {"window_days": window}).df()
        out["training_texts_query_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        scored_texts = con.execute(
            sql("window_texts.sql"), {"run_date": args.run_date, "window_days": window}
        ).df()
        out["window_texts_query_s"] = round(time.perf_counter() - t0, 2)
    labels = pd.Series(training["label"].to_numpy(), index=training["account_id"])
    order = np.argsort(pd.to_datetime(training["reviewed_at"]).to_numpy(), kind="stable")
    fold = np.empty(len(training), dtype=int)
    for k, rows in enumerate(np.array_split(order, FOLDS)):
        fold[rows] = k
    t0 = time.perf_counter()
    oof = cross_fit_scores(texts, labels, pd.Series(fold, index=labels.index))
    lm = fit_text_lm(texts, labels)
    out["fit_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    everyone = account_text_scores(lm, scored_texts[~scored_texts["account_id"].isin(labels.index)])
    out["scoring_s"] = round(time.perf_counter() - t0, 2)
    out.update(
        reviewed_accounts=len(training),
        training_pairs=len(texts),
        scored_pairs=len(scored_texts),
        scored_distinct_texts=int(scored_texts["text"].nunique()),
        peak_rss_gb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
    )

    truth = pd.read_parquet(args.truth, columns=["account_id", "archetype"])
    scores = pd.concat([oof, everyone], ignore_index=True)
    frame = truth.merge(scores, on="account_id", how="left")
    stealth = frame.loc[frame["archetype"] == "ai_managed_stealth", "text_lm_llr_mean"].to_numpy()
    table = frame.groupby("archetype")[list(TEXT_LM_FEATURES)].median()
    table["outranks_stealth"] = [
        outranks(group["text_lm_llr_mean"].to_numpy(), stealth)
        for _, group in frame.groupby("archetype")
    ]
    print(table.round(3).to_markdown())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
