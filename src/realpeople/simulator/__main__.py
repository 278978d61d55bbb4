"""CLI: python -m realpeople.simulator --accounts 20000 --days 14 --seed 7 --end-date 2026-11-15 \
--landing-dir data/landing --truth-path data/simulator/ground_truth.parquet [--csv-days 1]
[--labels scarce|rich|JSON]"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from .world import simulate


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m realpeople.simulator",
        description="Write a simulated activity export to a landing zone.",
    )
    ap.add_argument("--accounts", type=int, default=20000)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 11, 15))
    ap.add_argument("--landing-dir", default="data/landing")
    ap.add_argument("--truth-path", default="data/simulator/ground_truth.parquet")
    ap.add_argument(
        "--csv-days",
        type=int,
        default=1,
        help="how many delivery days are written as CSV instead of Parquet",
    )
    ap.add_argument(
        "--mix",
        type=json.loads,
        default=None,
        help='archetype shares as JSON, e.g. \'{"human": 0.8, "ai_managed": 0.2}\'',
    )
    ap.add_argument(
        "--labels",
        default=None,
        help="label regime: a preset (scarce, the default; rich) or JSON of "
        "LabelRegime fields, e.g. '{\"audit_rate\": 0.005}'",
    )
    args = ap.parse_args(argv)
    labels = args.labels
    if labels is not None and labels.lstrip().startswith("{"):
        labels = json.loads(labels)
    s = simulate(
        args.landing_dir,
        args.truth_path,
        accounts=args.accounts,
        days=args.days,
        seed=args.seed,
        end_date=args.end_date,
        csv_days=args.csv_days,
        mix=args.mix,
        labels=labels,
    )
    for table in ("accounts", "events", "reviews", "appeals"):
        print(
            f"{table}: {s[table]} rows over {s['days']} deliveries "
            f"({s['start_date']}..{s['end_date']}) -> {args.landing_dir}/{table}/"
        )
    print(
        f"ground truth: {s['simulated_accounts']} accounts -> {args.truth_path}; "
        f"late events {s['late_events']}, re-sent {s['resent_events']}, "
        f"csv days {','.join(s['csv_days']) or '-'}; {s['seconds']} s"
    )
    print(
        "reviews by true class (first looks, not appeals): "
        + ", ".join(f"{k} {v}" for k, v in s["reviews_by_true_class"].items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
