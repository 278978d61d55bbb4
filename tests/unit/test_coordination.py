"""ml.coordination: clusters from co-activity edges, and what a cluster says of its members."""

import numpy as np
import pandas as pd
import pytest

from realpeople.ml.coordination import cluster_features, clusters, human_edge_bar


def _world(seed=0):
    """Two rings of 6 accounts that coincide often with each other, and 200 people whose
    pairs coincide now and then (a busy evening, a viral post)."""
    rng = np.random.default_rng(seed)
    people = [f"p{i:03d}" for i in range(200)]
    rings = [[f"r{k}_{i}" for i in range(6)] for k in range(2)]
    rows = []
    for _ in range(600):
        a, b = sorted(rng.choice(people, 2, replace=False))
        rows.append((a, b, float(rng.poisson(1.0))))
    for ring in rings:
        for i, a in enumerate(ring):
            for b in ring[i + 1:]:
                rows.append((a, b, float(rng.integers(8, 15))))
    rows.append(("p000", rings[0][0], 2.0))   # one ordinary coincidence with a ring member
    edges = pd.DataFrame(rows, columns=["account_a", "account_b", "weight"])
    edges = edges.groupby(["account_a", "account_b"], as_index=False)["weight"].sum()
    verdicts = pd.Series({**{p: "human" for p in people[:120]}, rings[0][0]: "ai_managed",
                          rings[0][1]: "ai_managed", rings[1][0]: "human"})
    return edges, verdicts, rings


def test_rings_form_clusters_people_do_not():
    edges, verdicts, rings = _world()
    # the heaviest coincidence seen between two reviewed people is the bar
    bar = human_edge_bar(edges, verdicts)
    human_pairs = edges[edges.account_a.str.startswith("p") & edges.account_b.str.startswith("p")]
    assert 1.0 < bar < human_pairs["weight"].max() + 1e-9
    found = clusters(edges, bar)
    for ring in rings:
        assert found.loc[ring].nunique() == 1 and len(found.reindex(ring).dropna()) == 6
    assert found.loc[rings[0][0]] != found.loc[rings[1][0]]
    people = found.index[found.index.str.startswith("p")]
    assert len(people) <= 0.05 * 200                          # unreviewed people pairs can pass
    assert "p000" not in found.index or found["p000"] != found[rings[0][0]]


def test_cluster_features_leave_out_the_accounts_own_verdict():
    edges, verdicts, rings = _world()
    found = clusters(edges, human_edge_bar(edges, verdicts))
    steady = pd.Series(0.9, index=found.index)
    feats = cluster_features(found, verdicts, steady)
    first = feats.loc[rings[0]]
    assert (first["cluster_size"] == 6).all()
    # two of six confirmed: each confirmed member sees 1 of its 5 others, the rest 2 of 5
    assert first.loc[rings[0][0], "cluster_confirmed_share"] == pytest.approx(1 / 5)
    assert first.loc[rings[0][2], "cluster_confirmed_share"] == pytest.approx(2 / 5)
    assert (feats.loc[rings[1], "cluster_confirmed_share"] == 0).all()   # a human verdict confirms nothing
    assert (feats["cluster_steadiness"] == 0.9).all()


def test_no_edge_above_the_bar_means_no_cluster():
    edges = pd.DataFrame({"account_a": ["a"], "account_b": ["b"], "weight": [1.0]})
    assert clusters(edges, bar=1.0).empty
    assert human_edge_bar(edges, pd.Series({"a": "human", "b": "human"}), floor=3.0) == 3.0
