"""Benchmark: scoring every account with reasons, stage by stage, at 100k and 1M accounts.

Not a test. For each size N it

1. writes an ``account_features`` table of N accounts for one run date (and the
   structural ``account_cluster_features`` beside it) into a DuckDB file of its own:
   - ``--world DATA_DIR``: rows of a simulated world's newest feature snapshot (a data
     dir that ``make run`` or ``benchmarks/daily_run.py`` wrote), drawn with replacement
     up to N, each continuous value times exp(N(0, 0.05)) so no two rows are equal;
     scored with that world's ``champion``;
   - otherwise the unit tests' synthetic accounts (``tests/unit/test_model.py``, 10 %
     hard cases), and a model trained on 5,000 of them with ``ml.train.train_model``,
     logged and registered in an MLflow SQLite store as the pipeline does;
2. in a child process (so peak memory is the scoring's own), loads the champion from the
   registry as the ``account_scores`` asset does and times its path stage by stage:
   read the features (Arrow, into the feature matrix), predict (in batches), calibrate,
   policy bands, reasons (TreeSHAP of the accounts with a proposed action), write
   ``account_scores`` (from Arrow);
   with the peak resident memory after each stage (``ru_maxrss``);

and prints one JSON line per size (with the load average). ``--profile`` prints the
cProfile of the scoring path's 25 costliest functions (cumulative) to stderr.

    python benchmarks/scoring.py                                   # 100k and 1M, synthetic
    python benchmarks/scoring.py --world /tmp/bench-daily/data --accounts 100000
    make bench-scoring
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_DATE = "2026-11-15"
MODEL_NAME = "account_authenticity"
NOISE = 0.05


def _rss_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 3)


def _configure(store: Path) -> None:
    from realpeople.ml.tracking import configure

    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    configure(f"sqlite:///{store}/mlflow.db", store / "artifacts", MODEL_NAME)


def synthetic_model(store: Path) -> None:
    """Train on 5,000 synthetic reviewed accounts and register the model as champion."""
    sys.path.insert(0, str(REPO))
    from realpeople.ml.tracking import log_register_and_gate
    from realpeople.ml.train import train_model
    from tests.unit.test_model import synthetic_training

    _configure(store)
    result = train_model(synthetic_training(n=5000, seed=3, overlap=0.1), seed=3, search=False)
    log_register_and_gate(result, model_name=MODEL_NAME, training_as_of=RUN_DATE)


def synthetic_features(n: int):
    """N synthetic accounts: (account_features, account_cluster_features) as Arrow tables."""
    import numpy as np
    import pyarrow as pa

    sys.path.insert(0, str(REPO))
    from realpeople.ml.features import CLUSTER_FEATURES, MART_FEATURES
    from tests.unit.test_model import synthetic_training

    frame = synthetic_training(n=n, seed=11, overlap=0.1)
    run_date = pa.array(np.full(n, np.datetime64(RUN_DATE, "D")))
    ids = pa.array([f"bench{i:07d}" for i in range(n)])

    def table(columns):
        return pa.table(
            {
                "run_date": run_date,
                "account_id": ids,
                **{c: pa.array(frame[c].to_numpy()) for c in columns},
            }
        )

    return table(MART_FEATURES), table(CLUSTER_FEATURES)


def world_features(world: Path, n: int, seed: int = 11):
    """N accounts drawn from the world's newest snapshot, continuous values jittered."""
    import duckdb
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    with duckdb.connect(str(world / "warehouse.duckdb"), read_only=True) as con:
        newest = con.execute("select max(run_date) from account_features").fetchone()[0]
        tables = [
            con.execute(f"select * from {name} where run_date = ?", [newest]).to_arrow_table()
            for name in ("account_features", "account_cluster_features")
        ]
    rng = np.random.default_rng(seed)
    base, clusters = tables
    clusters = clusters.join(base.select(["account_id"]), "account_id", join_type="right outer")
    clusters = clusters.sort_by("account_id")
    base = base.sort_by("account_id")
    pick = pa.array(rng.integers(0, base.num_rows, n))
    ids = pa.array([f"bench{i:07d}" for i in range(n)])
    run_date = pa.array(np.full(n, np.datetime64(RUN_DATE, "D")))
    out = []
    for table in (base, clusters):
        table = table.take(pick)
        for i, field in enumerate(table.schema):
            if field.name == "account_id":
                table = table.set_column(i, field.name, ids)
            elif field.name == "run_date":
                table = table.set_column(i, field.name, run_date)
            elif pa.types.is_floating(field.type):
                jitter = pa.array(np.exp(rng.normal(0, NOISE, n)))
                table = table.set_column(i, field.name, pc.multiply(table.column(i), jitter))
        out.append(table)
    return out


def prepare(work: Path, n: int, world: Path | None) -> Path:
    """The benchmark's DuckDB file with N accounts' features, and the MLflow store."""
    import duckdb

    work.mkdir(parents=True, exist_ok=True)
    store = work / "mlflow"
    if world is not None:
        if not store.exists():
            shutil.copytree(world / "mlflow", store)
        features, clusters = world_features(world, n)
    else:
        if not store.exists():
            synthetic_model(store)
        features, clusters = synthetic_features(n)
    path = work / f"scoring-{n}.duckdb"
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.register("features_in", features)
        con.register("clusters_in", clusters)
        con.execute("create table account_features as select * from features_in")
        con.execute("create table account_cluster_features as select * from clusters_in")
    return path


def score_path(path: Path, store: Path, profile: bool) -> dict:
    """Time the scoring path of the ``account_scores`` asset on the prepared file."""
    import duckdb
    import numpy as np

    from realpeople.defs.model import assets as model_assets
    from realpeople.ml.explain import explain_actions
    from realpeople.ml.policy import decide_actions
    from realpeople.ml.score import SCORING_BATCH, feature_array, probabilities, scores_table
    from realpeople.ml.tracking import champion, load_model
    from realpeople.settings import load_settings

    threads = load_settings().scoring_threads
    stages: dict[str, dict] = {}
    started = time.perf_counter()

    cpu = [time.process_time()]

    def done(name: str, t0: float) -> None:
        # CPU seconds of every thread beside the wall: the machine may be shared
        now = time.process_time()
        stages[name] = {
            "seconds": round(time.perf_counter() - t0, 3),
            "cpu_seconds": round(now - cpu[0], 3),
            "peak_rss_gb": _rss_gb(),
        }
        cpu[0] = now

    t0 = time.perf_counter()
    _configure(store)
    model = champion(MODEL_NAME)
    scorer = load_model(model)
    done("load_model", t0)
    sql = model_assets.sql
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t_path, cpu_path = time.perf_counter(), time.process_time()
    with duckdb.connect(str(path)) as con:
        t0 = time.perf_counter()
        features = con.execute(
            sql("features_for_run_date.sql"), {"run_date": RUN_DATE}
        ).to_arrow_table()
        x = feature_array(features)
        done("read", t0)
        t0 = time.perf_counter()
        raw = np.concatenate(
            [
                scorer.predict_raw(x[i : i + SCORING_BATCH], threads)
                for i in range(0, len(x), SCORING_BATCH)
            ]
        )
        done("predict", t0)
        t0 = time.perf_counter()
        scores = probabilities(scorer.calibrator.transform(raw))
        scores.insert(0, "account_id", features.column("account_id").to_numpy())
        done("calibrate", t0)
        t0 = time.perf_counter()
        scores["proposed_action"] = decide_actions(scores, model.policy)
        done("policy", t0)
        t0 = time.perf_counter()
        scores["reasons"] = explain_actions(x, scores, scorer, num_threads=threads)
        done("reasons", t0)
        t0 = time.perf_counter()
        scored = scores_table(features, scores, RUN_DATE, model.name, model.version)
        con.execute(sql("create_account_scores.sql"))
        con.register("scored", scored)
        con.execute(sql("delete_account_scores.sql"), {"run_date": RUN_DATE})
        con.execute(sql("replace_account_scores.sql"))
        con.unregister("scored")
        done("write", t0)
        acted = con.execute(
            "select count(*) filter (where reasons is not null), count(*) from account_scores"
        ).fetchone()
    path_seconds = time.perf_counter() - t_path
    path_cpu = time.process_time() - cpu_path
    if profile:
        import io
        import pstats

        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue(), file=sys.stderr)
    return {
        "accounts": acted[1],
        "accounts_with_reasons": acted[0],
        "scoring_seconds": round(path_seconds, 2),
        "scoring_cpu_seconds": round(path_cpu, 2),
        "total_seconds_with_model_load": round(time.perf_counter() - started, 2),
        "scoring_threads": threads,
        "stages": stages,
        "peak_rss_gb": _rss_gb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--world", type=Path, help="a data dir with a warehouse and a champion")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/bench-scoring"))
    parser.add_argument("--profile", action="store_true", help="cProfile to stderr")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    parser.add_argument("--child", nargs=2, metavar=("DUCKDB", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(score_path(Path(args.child[0]), Path(args.child[1]), args.profile)))
        return 0
    work: Path = args.work_dir
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    env = {
        **os.environ,
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "passive"),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "REALPEOPLE_PROGRESS": "0",
    }
    for n in args.accounts:
        t0 = time.perf_counter()
        path = prepare(work, n, args.world)
        prepare_s = round(time.perf_counter() - t0, 1)
        load_start = [round(x, 2) for x in os.getloadavg()]
        cmd = [sys.executable, __file__, "--child", str(path), str(work / "mlflow")]
        if args.profile:
            cmd.append("--profile")
        proc = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, cwd=REPO)
        if proc.returncode:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"scoring {n} accounts failed (exit {proc.returncode})")
        if args.profile:
            sys.stderr.write(proc.stderr)
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            json.dumps(
                {
                    "accounts": n,
                    "source": str(args.world) if args.world else "synthetic",
                    "prepare_seconds": prepare_s,
                    **figures,
                    "load_average_start": load_start,
                    "load_average_end": [round(x, 2) for x in os.getloadavg()],
                    "cpus": os.cpu_count(),
                }
            ),
            flush=True,
        )
        path.unlink(missing_ok=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
