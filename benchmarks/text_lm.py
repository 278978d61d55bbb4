"""Time and memory of the supervised text model (``ml.textlm``) on a warehouse the pipeline
built: what training and scoring add. A script, not a test; prints one JSON line.

    REALPEOPLE_DATA_DIR=... python benchmarks/text_lm.py --run-date 2026-11-15

Measures, on the run date's champion and features:
- training: the reviewed accounts' texts (``sql/training_texts.sql``), the cross-fit over
  the time blocks plus the two other fits (``ml.train.text_lm_features``);
- scoring: every account's texts in the window (``sql/window_texts.sql``) and their scores
  with the champion's stored text model (``ml.textlm.account_text_scores``);
with the rows and distinct texts each handled, and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date
from pathlib import Path

import duckdb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run-date", required=True)
    args = parser.parse_args()

    from realpeople.defs.model.assets import training_set, training_texts, window_texts
    from realpeople.ml.dataset import time_split
    from realpeople.ml.textlm import account_text_scores
    from realpeople.ml.tracking import champion, configure, load_model
    from realpeople.ml.train import text_lm_features
    from realpeople.settings import load_settings

    settings = load_settings()
    out: dict = {"run_date": args.run_date}
    with duckdb.connect(settings.warehouse_path, read_only=True) as con:
        training = training_set(
            con, date.fromisoformat(args.run_date), settings.feature_window_days
        )
        t0 = time.perf_counter()
        texts = training_texts(con, training, settings.feature_window_days)
        out["training_texts_query_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        scored_texts = window_texts(con, args.run_date, settings.feature_window_days)
        out["window_texts_query_s"] = round(time.perf_counter() - t0, 2)
    split = time_split(training)
    t0 = time.perf_counter()
    text_lm_features(split.train, split.test, texts)
    out["training_fits_s"] = round(time.perf_counter() - t0, 2)
    out["reviewed_accounts"] = len(training)
    out["training_pairs"] = len(texts)
    out["training_distinct_texts"] = int(texts["text"].nunique())

    configure(
        settings.mlflow_tracking_uri, Path(settings.mlflow_artifact_root), settings.model_name
    )
    model = load_model(champion(settings.model_name))
    t0 = time.perf_counter()
    scores = account_text_scores(model.text_lm, scored_texts)
    out["scoring_s"] = round(time.perf_counter() - t0, 2)
    out["scored_pairs"] = len(scored_texts)
    out["scored_distinct_texts"] = int(scored_texts["text"].nunique())
    out["scored_accounts"] = len(scores)
    out["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
