"""The promotion gate: a challenger replaces the champion only if it is better where it counts.

Both models are scored on the *same* rows: the challenger's test set, the newest
reviews, which the challenger never saw. Each acts with its own registered policy.

- Policy metric: recall of ``ai_managed`` at the best threshold whose precision on the
  reviews keeps the terminate target, ``target * (1 - label_noise)`` (unweighted, as the
  policy's thresholds are: see :mod:`ml.policy`).
- Harm: people (verdict ``human``) that the model's own terminate threshold flags, per
  10,000 reviewed people of the test set.

The challenger is promoted if its harm is not higher than the champion's and its policy
metric is higher; on a tie of the policy metric (both perfect, common on easy data) the
better-calibrated model (lower Brier on the same rows) wins. A champion trained on some
of these reviews can only look better than it is, so the gate errs towards keeping it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from realpeople.ml.calibrate import brier
from realpeople.ml.evaluate import wrongly_terminated_per_10k
from realpeople.ml.features import CLASSES
from realpeople.ml.policy import Policy, precision_recall_at, recall_at_precision
from realpeople.ml.score import AccountModel

TIE = 1e-9


@dataclass(frozen=True)
class GateScore:
    policy_metric: float  # recall at the terminate precision target
    wrongly_terminated_per_10k: float
    terminate_precision: float
    terminate_recall: float
    brier: float


@dataclass(frozen=True)
class GateDecision:
    promoted: bool
    reason: str
    challenger: GateScore
    champion: GateScore | None

    def metrics(self) -> dict[str, float]:
        """Flat figures for MLflow: ``gate_challenger_*`` and ``gate_champion_*``."""
        out = {f"gate_challenger_{k}": v for k, v in asdict(self.challenger).items()}
        if self.champion is not None:
            out.update({f"gate_champion_{k}": v for k, v in asdict(self.champion).items()})
        out["gate_promoted"] = float(self.promoted)
        return out


def gate_score(
    model: AccountModel,
    policy: Policy,
    test: pd.DataFrame,
    weights: np.ndarray,
    precision_target: float,
) -> GateScore:
    """How ``model`` acting with ``policy`` does on ``test`` (features + ``label``)."""
    proba = model.predict(test)
    labels = test["label"].to_numpy()
    managed = proba[:, CLASSES.index("ai_managed")]
    is_managed = labels == "ai_managed"
    t_p, t_r, _ = precision_recall_at(is_managed, managed, policy.terminate_threshold, weights)
    return GateScore(
        policy_metric=recall_at_precision(is_managed, managed, precision_target),
        wrongly_terminated_per_10k=wrongly_terminated_per_10k(
            labels, managed, policy.terminate_threshold
        ),
        terminate_precision=t_p,
        terminate_recall=t_r,
        brier=brier(proba, labels, weights),
    )


def decide(challenger: GateScore, champion: GateScore | None) -> GateDecision:
    if champion is None:
        return GateDecision(
            True, "no champion yet: the first model becomes champion", challenger, None
        )
    harm_ok = challenger.wrongly_terminated_per_10k <= champion.wrongly_terminated_per_10k + TIE
    diff = challenger.policy_metric - champion.policy_metric
    if not harm_ok:
        return GateDecision(
            False,
            (
                f"refused: would wrongly terminate {challenger.wrongly_terminated_per_10k:.1f} people per 10k "
                f"vs the champion's {champion.wrongly_terminated_per_10k:.1f}"
            ),
            challenger,
            champion,
        )
    if diff > TIE:
        return GateDecision(
            True,
            (
                f"promoted: recall at the precision target {challenger.policy_metric:.3f} "
                f"> champion's {champion.policy_metric:.3f}"
            ),
            challenger,
            champion,
        )
    if abs(diff) <= TIE and challenger.brier < champion.brier - TIE:
        return GateDecision(
            True,
            (
                f"promoted: same recall at the precision target ({challenger.policy_metric:.3f}), "
                f"better calibrated (Brier {challenger.brier:.4f} < {champion.brier:.4f})"
            ),
            challenger,
            champion,
        )
    return GateDecision(
        False,
        (
            f"refused: recall at the precision target {challenger.policy_metric:.3f} does not beat "
            f"the champion's {champion.policy_metric:.3f}"
        ),
        challenger,
        champion,
    )
