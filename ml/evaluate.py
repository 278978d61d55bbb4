"""Held-out evaluation: per-class precision, recall and PR-AUC, and the confusion matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, confusion_matrix, precision_recall_fscore_support

from ml.features import CLASSES


def class_metrics(labels: pd.Series, proba: np.ndarray) -> dict[str, float]:
    """Per-class precision/recall/F1 of the arg-max prediction, PR-AUC of each probability."""
    labels = np.asarray(labels)
    predicted = np.asarray(CLASSES)[proba.argmax(axis=1)]
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=list(CLASSES), zero_division=0)
    metrics: dict[str, float] = {}
    for i, cls in enumerate(CLASSES):
        metrics[f"precision_{cls}"] = float(precision[i])
        metrics[f"recall_{cls}"] = float(recall[i])
        metrics[f"f1_{cls}"] = float(f1[i])
        metrics[f"support_{cls}"] = int(support[i])
        positives = labels == cls
        metrics[f"pr_auc_{cls}"] = (
            float(average_precision_score(positives, proba[:, i])) if positives.any() else float("nan"))
    metrics["accuracy"] = float((predicted == labels).mean())
    return metrics


def confusion(labels: pd.Series, proba: np.ndarray) -> pd.DataFrame:
    """Confusion matrix: rows are review verdicts, columns arg-max predictions."""
    predicted = np.asarray(CLASSES)[proba.argmax(axis=1)]
    matrix = confusion_matrix(np.asarray(labels), predicted, labels=list(CLASSES))
    return pd.DataFrame(matrix, index=[f"verdict_{c}" for c in CLASSES],
                        columns=[f"predicted_{c}" for c in CLASSES])
