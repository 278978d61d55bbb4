"""Training and scoring on a Dask cluster: the same model, fitted and applied past one machine.

Nothing here re-implements training or scoring. :func:`train_distributed` is
:func:`ml.train.train_model` with the final fit (its step 5) done by LightGBM's Dask
interface (:class:`DaskFit`); the time split, label encoding, (absent) sample weights,
search, calibration, policy and held-out test are ``train_model``'s own, so the result
is a :class:`ml.train.TrainResult` that :func:`ml.tracking.log_register_and_gate` registers
and the promotion gate judges like any other. :func:`score_partitioned` runs
:func:`ml.score.score_accounts` on each partition of a Dask frame of ``account_features``.

What runs where:

- **Training set** (one row per reviewed account: bounded by moderators' capacity, ~50 MB
  per 100k reviews) is read from Parquet as a Dask frame (:func:`read_parquet`) and
  gathered on the driver: the cross-validated search, calibration and policy need its
  rows together. The final fit is spread over the workers (one partition per worker),
  which is where a bigger tree count or training set costs.
- **Scoring set** (one row per account: the large one) stays partitioned; each partition
  is scored where it lives, with the model shipped once (or loaded from the MLflow
  registry on each worker, :func:`champion_ref`).

LightGBM's Dask training opens its own socket network between workers (besides Dask's):
on each worker it listens on an ephemeral port of *every* interface (``0.0.0.0`` is
hard-coded in LightGBM's socket code), so on a real cluster the workers must reach each
other on ephemeral ports; pass ``local_listen_port`` in ``params`` to fix the port.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import lightgbm as lgb
import numpy as np
import pandas as pd

from realpeople.ml.features import CLASSES, FEATURES
from realpeople.ml.score import AccountModel, score_accounts
from realpeople.ml.train import FitBackend, TrainResult, fit_local, train_model

if TYPE_CHECKING:
    import dask.dataframe as dd
    from distributed import Client

    from realpeople.ml.tracking import RegisteredModel

BACKENDS = ("local", "dask")
# The label travels in the same frame as the features so both are split into the same
# partitions (LightGBM's Dask interface pairs feature and label parts by position).
_LABEL, _WEIGHT = "__label", "__weight"


@contextmanager
def dask_client(
    scheduler: str = "",
    *,
    n_workers: int = 2,
    threads_per_worker: int = 1,
    memory_limit: str = "4GiB",
) -> Iterator[Client]:
    """A client of the cluster at ``scheduler`` (``tcp://host:8786``), or, when empty, of
    an in-process LocalCluster on 127.0.0.1 (no dashboard), closed on exit.

    Workers are processes: LightGBM's network is one per process, so two workers sharing
    a process (``processes=False``) would share it. One thread each: OpenMP threads
    spin-wait against each other on small shared machines.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=memory_limit,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def n_workers(client: Client) -> int:
    return len(client.scheduler_info(n_workers=-1)["workers"])


@dataclass
class DaskFit:
    """A :data:`ml.train.FitBackend` that fits with ``lightgbm.dask.DaskLGBMClassifier``.

    Same parameters and tree count as the local fit; LightGBM replaces ``num_threads``
    with each worker's thread count. Returns the plain booster (``.to_local()``), which
    predicts, pickles and registers like one fitted here.
    """

    client: Client
    npartitions: int | None = None  # default: one per worker, so every worker holds rows
    backend_name: str = "dask"

    def __call__(
        self,
        params: dict,
        x: pd.DataFrame,
        y: np.ndarray,
        num_boost_round: int,
        sample_weight: np.ndarray | None = None,
    ) -> lgb.Booster:
        import dask.dataframe as dd
        from lightgbm.dask import DaskLGBMClassifier

        frame = x.assign(**{_LABEL: y})
        if sample_weight is not None:
            frame[_WEIGHT] = sample_weight
        parts = dd.from_pandas(
            frame, npartitions=self.npartitions or n_workers(self.client), sort=False
        )
        parts = self.client.persist(parts)
        # The classifier derives the class count from the labels (0..n-1 = CLASSES order).
        native = {k: v for k, v in params.items() if k != "num_class"}
        model = DaskLGBMClassifier(client=self.client, n_estimators=num_boost_round, **native)
        model.fit(
            parts[list(x.columns)],
            parts[_LABEL],
            sample_weight=parts[_WEIGHT] if sample_weight is not None else None,
        )
        return model.to_local().booster_


@contextmanager
def fit_backend(backend: str = "local", scheduler: str = "") -> Iterator[FitBackend]:
    """The final-fit backend by name: ``local`` (this process) or ``dask`` (the cluster at
    ``scheduler``, or a LocalCluster when empty), released on exit."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown training backend {backend!r}; expected one of {BACKENDS}")
    if backend == "local":
        yield fit_local
        return
    with dask_client(scheduler) as client:
        yield DaskFit(client)


def read_parquet(path: str | Path, columns: list[str] | None = None, filters=None) -> dd.DataFrame:
    """A Parquet dataset (file, folder or glob: e.g. the training set or ``account_features``
    exported from the warehouse with DuckDB's ``COPY ... TO ... (FORMAT parquet)``) as a
    Dask frame, read lazily, one partition per row group by default."""
    import dask.dataframe as dd

    return dd.read_parquet(str(path), columns=columns, filters=filters)


def train_distributed(
    training: pd.DataFrame | dd.DataFrame, client: Client, **kwargs
) -> TrainResult:
    """:func:`ml.train.train_model` with the final fit on ``client``'s workers.

    ``training``: one row per reviewed account (features, ``label``, ``source``,
    ``reviewed_at``), as pandas or Dask (gathered here: see the module docstring).
    ``kwargs`` are ``train_model``'s (seed, params, search, thresholds...).
    """
    if not isinstance(training, pd.DataFrame):
        training = training.compute()
    return train_model(training, fit=DaskFit(client), **kwargs)


def champion_ref(model_name: str) -> RegisteredModel:
    """The version behind ``champion``, resolved once on the driver so every partition
    scores with the same version even if the alias moves during the run."""
    from realpeople.ml.tracking import champion

    found = champion(model_name)
    if found is None:
        raise LookupError(f"no `champion` version of model {model_name!r} is registered")
    return found


# Registered versions already loaded in this worker process: (store, name, version) -> model.
_LOADED: dict[tuple[str, str, str], AccountModel] = {}


def _registry_model(tracking_uri: str, model: RegisteredModel) -> AccountModel:
    """Load a registered version once per worker process (reused across partitions)."""
    key = (tracking_uri, model.name, model.version)
    if key not in _LOADED:
        import mlflow

        from realpeople.ml.tracking import load_model

        mlflow.set_tracking_uri(tracking_uri)
        _LOADED[key] = load_model(model)
    return _LOADED[key]


@dataclass(frozen=True)
class _FromRegistry:
    """What a worker needs to load a registered version itself: the store and the version."""

    tracking_uri: str
    model: RegisteredModel


def _score_partition(part: pd.DataFrame, model) -> pd.DataFrame:
    if isinstance(model, _FromRegistry):
        model = _registry_model(model.tracking_uri, model.model)
    if part.empty:  # LightGBM refuses zero rows; an empty partition scores to nothing
        return _scores_meta(part)
    scores = score_accounts(part, model)
    scores.index = part.index  # rows stay joinable to the features they came from
    return scores


def _scores_meta(features: pd.DataFrame) -> pd.DataFrame:
    """The columns and dtypes of :func:`score_accounts`' output, with no rows."""
    columns = {"account_id": pd.Series(dtype=object, index=features.index[:0])}
    columns.update(
        {f"score_{c}": pd.Series(dtype="float64", index=features.index[:0]) for c in CLASSES}
    )
    return pd.DataFrame(columns)


def score_partitioned(
    features: dd.DataFrame,
    model: AccountModel | lgb.Booster | RegisteredModel,
    *,
    tracking_uri: str | None = None,
) -> dd.DataFrame:
    """``score_accounts`` over each partition of ``features`` (one row per account; the
    partitions hold disjoint accounts, e.g. one run date of ``account_features``).

    Same rows, columns and dtypes as ``score_accounts`` on the whole frame; the index is
    the features' own. ``model`` is either the model itself (put in the graph once and
    shared by every partition: works on any cluster) or a registered version (e.g.
    :func:`champion_ref`) that each worker loads from ``tracking_uri`` (workers must reach
    the tracking store and artifacts: a server, or a shared disk).
    """
    import dask

    missing = [c for c in ("account_id", *FEATURES) if c not in features.columns]
    if missing:
        raise ValueError(f"features lack {', '.join(missing)}")
    if isinstance(model, (AccountModel, lgb.Booster)):
        shipped = dask.delayed(model, pure=True)
    else:
        if not tracking_uri:
            raise ValueError("a registered model needs the tracking_uri the workers load it from")
        shipped = _FromRegistry(tracking_uri, model)
    return features.map_partitions(_score_partition, shipped, meta=_scores_meta(features._meta))
