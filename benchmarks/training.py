"""Benchmark: training on this machine vs on a Dask LocalCluster, same training set.

Not a test: run it by hand and copy the table into docs/scaling.md.

    python benchmarks/training.py                    # 20k and 100k reviewed accounts
    python benchmarks/training.py --rows 50000 --workers 2

For each size it writes a training set (one row per reviewed account, the unit tests'
synthetic accounts with 10% hard cases) to Parquet, then trains it once per backend,
each in a child process: ``local`` reads it with pandas and calls ``train_model``;
``dask`` reads it with ``dask.dataframe.read_parquet`` and calls ``train_distributed`` on
a LocalCluster (2 worker processes x 1 thread, 127.0.0.1). Both with ``search=False``
(the default candidate: cross-validation, calibration, policy, final fit, test).
Printed: wall time of the whole training and of the final fit alone, the peak RSS of the
child's whole process tree (driver + Dask scheduler, nannies and workers, sampled every
0.1 s), and the held-out PR-AUC per class.

LightGBM's Dask training listens on 0.0.0.0 on every worker; on a shared machine run
this in a loopback-only network namespace:
``unshare -rn sh -c 'ip link set lo up && .venv/bin/python benchmarks/training.py'``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = 3


class Timed:
    """A fit backend that records how long the wrapped backend took."""

    def __init__(self, fit):
        self.fit, self.seconds = fit, 0.0
        self.backend_name = getattr(fit, "backend_name", "local")

    def __call__(self, *args):
        t0 = time.perf_counter()
        booster = self.fit(*args)
        self.seconds += time.perf_counter() - t0
        return booster


def child(backend: str, path: str, workers: int) -> dict:
    """Train once (in this process) and return the figures as a dict."""
    from realpeople.ml.features import CLASSES
    from realpeople.ml.train import fit_local, train_model

    t0 = time.perf_counter()
    if backend == "local":
        import pandas as pd

        fit = Timed(fit_local)
        result = train_model(pd.read_parquet(path), seed=SEED, search=False, fit=fit)
    else:
        from realpeople.ml.distributed import DaskFit, dask_client, read_parquet

        with dask_client(n_workers=workers, threads_per_worker=1) as client:
            started = time.perf_counter() - t0
            fit = Timed(DaskFit(client))
            training = read_parquet(path).compute()  # gathered on the driver: see ml.distributed
            result = train_model(training, seed=SEED, search=False, fit=fit)
    out = {
        "backend": backend,
        "seconds": time.perf_counter() - t0,
        "fit_seconds": fit.seconds,
        "best_iteration": result.metrics["best_iteration"],
        "n_train": result.n_train,
        **{f"pr_auc_{c}": result.metrics[f"pr_auc_{c}"] for c in CLASSES},
    }
    if backend == "dask":
        out["cluster_start_seconds"] = started
    return out


def run(backend: str, path: Path, workers: int) -> dict:
    """The child's figures plus the peak RSS of its process tree."""
    import psutil

    env = {
        **os.environ,
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "passive"),
        "PYTHONPATH": str(REPO),
    }
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", backend, str(path), "--workers", str(workers)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    root, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass  # a process ended between listing and reading: the next sample counts it
        time.sleep(0.1)
    stdout = proc.stdout.read()
    if proc.returncode:
        raise SystemExit(f"{backend} training failed (exit {proc.returncode})")
    return {**json.loads(stdout.strip().splitlines()[-1]), "peak_rss_gb": peak / 2**30}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--child", nargs=2, metavar=("BACKEND", "PARQUET"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.workers)))
        return 0

    sys.path.insert(0, str(REPO))
    from tests.unit.test_model import synthetic_training

    print(
        f"{'rows':>8} {'backend':>7} {'train s':>8} {'fit s':>6} {'trees':>6} {'peak RSS GB':>11} "
        f"{'PR-AUC human':>12} {'assisted':>8} {'managed':>8}"
    )
    for n in args.rows:
        with tempfile.TemporaryDirectory(prefix="trainbench-", dir="/tmp") as tmp:
            path = Path(tmp) / "training_set.parquet"
            synthetic_training(n=n, seed=SEED, overlap=0.1).to_parquet(path, index=False)
            for backend in ("local", "dask"):
                r = run(backend, path, args.workers)
                print(
                    f"{n:>8} {backend:>7} {r['seconds']:>8.1f} {r['fit_seconds']:>6.1f} "
                    f"{r['best_iteration']:>6} {r['peak_rss_gb']:>11.2f} {r['pr_auc_human']:>12.3f} "
                    f"{r['pr_auc_ai_assisted']:>8.3f} {r['pr_auc_ai_managed']:>8.3f}"
                    + (
                        f"  (cluster start {r['cluster_start_seconds']:.1f} s)"
                        if backend == "dask"
                        else ""
                    ),
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
