"""Training and scoring on a Dask LocalCluster (2 worker processes, 1 thread each, 127.0.0.1)
give what single-machine training and scoring give.

Worker processes, not threads: LightGBM's network is one per process, so two in-process
workers would share it. The training tests need LightGBM's own worker network, which
listens on 0.0.0.0 (hard-coded in LightGBM); they run only where that cannot reach
beyond the machine: in a loopback-only network namespace
(``unshare -rn sh -c 'ip link set lo up && .venv/bin/python -m pytest tests/unit/test_distributed.py'``)
or where ``REALPEOPLE_ALLOW_LIGHTGBM_NETWORK=1`` says it may (CI runners).
"""

import os
import socket

import numpy as np
import pandas as pd
import pytest

from realpeople.ml.evaluate import class_metrics
from realpeople.ml.features import CLASSES
from realpeople.ml.score import score_accounts
from realpeople.ml.train import train_model
from tests.unit.test_model import synthetic_training

SEED = 3
# Hard cases (a tenth behave like another class) so the metrics are not all 1.0 and a
# worse model would show.
WORLD = {"n": 1500, "seed": SEED, "overlap": 0.1}
PR_AUC_TOLERANCE = 0.03


def _lightgbm_network_contained() -> bool:
    interfaces = {name for _, name in socket.if_nameindex()}
    return interfaces <= {"lo"} or os.environ.get("REALPEOPLE_ALLOW_LIGHTGBM_NETWORK") == "1"


needs_lightgbm_network = pytest.mark.skipif(
    not _lightgbm_network_contained(),
    reason="LightGBM's Dask training listens on 0.0.0.0: run in a loopback-only network namespace "
    "(unshare -rn) or set REALPEOPLE_ALLOW_LIGHTGBM_NETWORK=1",
)


@pytest.fixture(scope="module")
def client():
    from realpeople.ml.distributed import dask_client

    with dask_client(n_workers=2, threads_per_worker=1, memory_limit="2GiB") as c:
        yield c


@pytest.fixture(scope="module")
def world() -> pd.DataFrame:
    return synthetic_training(**WORLD)


@pytest.fixture(scope="module")
def local(world):
    return train_model(world, seed=SEED, search=False)


@pytest.fixture(scope="module")
def on_dask(world, client, tmp_path_factory):
    from realpeople.ml.distributed import read_parquet, train_distributed

    if not _lightgbm_network_contained():
        pytest.skip("LightGBM network not contained (see module docstring)")
    # The training set as it would arrive from the warehouse: Parquet, read lazily by Dask.
    path = tmp_path_factory.mktemp("training") / "training_set.parquet"
    world.to_parquet(path, index=False)
    return train_distributed(read_parquet(path), client, seed=SEED, search=False)


@pytest.mark.slow
@needs_lightgbm_network
def test_dask_training_matches_single_machine(local, on_dask):
    # The same split, rows and tree count: only where the trees were grown differs.
    assert on_dask.test_cutoff == local.test_cutoff
    assert (on_dask.n_train, on_dask.n_test) == (local.n_train, local.n_test)
    assert on_dask.dataset_fingerprint == local.dataset_fingerprint
    assert on_dask.metrics["best_iteration"] == local.metrics["best_iteration"]
    assert on_dask.booster.num_trees() == local.booster.num_trees()
    assert on_dask.extra["fit_backend"] == "dask" and local.extra["fit_backend"] == "local"
    # The workers grew trees with our parameters, not the sklearn wrapper's defaults.
    dumped = on_dask.booster.model_to_string()
    for param in (
        "[feature_fraction: 0.9]",
        "[bagging_fraction: 0.9]",
        "[lambda_l2: 1]",
        "[min_data_in_leaf: 20]",
        "[num_machines: 2]",
    ):
        assert param in dumped
    # The train_model test split (the newest quarter: ~375 reviews, a few dozen automated)
    # moves a rare class's PR-AUC by hundredths from tree noise alone (0.096 for
    # ai_managed since the model reads the 7 cluster features, which this synthetic world
    # fills with noise like every column it does not shape)...
    for cls in CLASSES:
        assert abs(on_dask.metrics[f"pr_auc_{cls}"] - local.metrics[f"pr_auc_{cls}"]) <= 0.10, cls
    # ...so the tight comparison is on a large held-out sample neither model saw (unweighted).
    fresh = synthetic_training(n=6000, seed=SEED + 100, overlap=WORLD["overlap"])
    m_local = class_metrics(fresh["label"], local.model.predict(fresh))
    m_dask = class_metrics(fresh["label"], on_dask.model.predict(fresh))
    for cls in CLASSES:
        pr_local, pr_dask = m_local[f"pr_auc_{cls}"], m_dask[f"pr_auc_{cls}"]
        assert abs(pr_dask - pr_local) <= PR_AUC_TOLERANCE, (cls, pr_local, pr_dask)
        # Far above chance (a random scorer's PR-AUC is the class's share), so agreement is
        # not two useless models agreeing.
        chance = float((fresh["label"] == cls).mean())
        assert pr_dask - chance >= 0.5 * (1 - chance), (cls, pr_dask, chance)
        for metric in ("precision", "recall"):
            assert abs(m_dask[f"{metric}_{cls}"] - m_local[f"{metric}_{cls}"]) <= 0.03, (
                cls,
                metric,
            )
    # The distributed booster scores the same accounts nearly as the local one does.
    scores_local = score_accounts(local.test, local.model)
    scores_dask = score_accounts(local.test, on_dask.model)
    assert (scores_local["score_ai_managed"] - scores_dask["score_ai_managed"]).abs().mean() < 0.03


@pytest.mark.slow
@needs_lightgbm_network
def test_dask_model_is_registered_and_scored_from_the_registry_on_workers(
    on_dask, world, client, tmp_path_factory
):
    import dask.dataframe as dd

    from realpeople.ml.distributed import champion_ref, score_partitioned
    from realpeople.ml.tracking import configure, log_register_and_gate

    root = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    configure(uri, root / "artifacts", "dask_model")
    registered = log_register_and_gate(
        on_dask, model_name="dask_model", training_as_of="2026-11-15"
    )
    assert registered.decision.promoted  # the first model becomes champion, as any other would

    ref = champion_ref("dask_model")
    assert ref.version == registered.version
    features = world.drop(columns=["label", "source", "reviewed_at"])
    scored = score_partitioned(
        dd.from_pandas(features, npartitions=3), ref, tracking_uri=uri
    ).compute()
    expected = score_accounts(features, on_dask.model)
    pd.testing.assert_frame_equal(scored.reset_index(drop=True), expected, rtol=0, atol=1e-9)


@pytest.mark.slow
def test_partitioned_scoring_equals_whole_frame_scoring(local, client):
    import dask.dataframe as dd

    from realpeople.ml.distributed import score_partitioned

    features = synthetic_training(n=900, seed=8).drop(columns=["label", "source", "reviewed_at"])
    parts = dd.from_pandas(features, npartitions=4)
    assert parts.npartitions >= 3
    scored = score_partitioned(parts, local.model).compute()
    expected = score_accounts(features, local.model)
    assert list(scored.columns) == list(expected.columns)
    assert dict(scored.dtypes) == dict(expected.dtypes)
    assert scored.index.equals(features.index)  # joinable back to the features
    pd.testing.assert_frame_equal(scored.reset_index(drop=True), expected, rtol=0, atol=1e-9)
    # Each account once, in its own partition.
    assert scored["account_id"].is_unique and len(scored) == len(features)


@pytest.mark.slow
def test_partitioned_scoring_from_parquet_with_an_empty_partition(local, client, tmp_path):
    from realpeople.ml.distributed import read_parquet, score_partitioned

    features = synthetic_training(n=600, seed=9).drop(columns=["label", "source", "reviewed_at"])
    features["run_date"] = np.where(np.arange(len(features)) < 400, "2026-11-14", "2026-11-15")
    # One file per run date, as an export of account_features would be.
    for run_date, part in features.groupby("run_date"):
        part.to_parquet(tmp_path / f"{run_date}.parquet", index=False)
    lazy = read_parquet(tmp_path)
    one_day = lazy[lazy["run_date"] == "2026-11-15"]  # the other file's partition is now empty
    scored = score_partitioned(one_day, local.model).compute().reset_index(drop=True)
    expected = score_accounts(
        features[features["run_date"] == "2026-11-15"].reset_index(drop=True), local.model
    )
    pd.testing.assert_frame_equal(scored, expected, rtol=0, atol=1e-9)


def test_backend_settings_are_checked_and_named():
    from realpeople.ml.distributed import fit_backend
    from realpeople.ml.train import fit_local
    from realpeople.settings import load_settings

    assert load_settings({}).training_backend == "local"
    assert load_settings({}).dask_scheduler == ""
    settings = load_settings(
        {"REALPEOPLE_TRAINING_BACKEND": "dask", "REALPEOPLE_DASK_SCHEDULER": "tcp://10.0.0.5:8786"}
    )
    assert (settings.training_backend, settings.dask_scheduler) == ("dask", "tcp://10.0.0.5:8786")
    with pytest.raises(ValueError, match="REALPEOPLE_TRAINING_BACKEND='spark'"):
        load_settings({"REALPEOPLE_TRAINING_BACKEND": "spark"})
    with fit_backend("local") as fit:
        assert fit is fit_local
    with pytest.raises(ValueError, match="unknown training backend"), fit_backend("gpu"):
        pass
