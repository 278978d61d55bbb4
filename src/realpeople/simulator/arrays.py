"""Arrow and numpy helpers of the simulator: ids, codes, booleans, timestamps, counts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .parameters import ARCHETYPES, CLASSES, DEFAULT_MIX, TRUE_CLASS, A

# ------------------------------------------------------------------- helpers
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_ids(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """uint64 -> 16-char lowercase hex strings, vectorised (``valid`` False -> null)."""
    values = np.ascontiguousarray(values, dtype=np.uint64)
    n = len(values)
    b = values.astype(">u8").view(np.uint8).reshape(n, 8)
    chars = np.empty((n, 16), dtype=np.uint8)
    chars[:, 0::2] = _HEX[b >> 4]
    chars[:, 1::2] = _HEX[b & 15]
    offsets = np.arange(0, 16 * n + 1, 16, dtype=np.int32)
    validity = None
    null_count = 0
    if valid is not None and not valid.all():
        validity = pa.py_buffer(np.packbits(valid.astype(np.uint8), bitorder="little"))
        null_count = int((~valid).sum())
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(chars.tobytes()), validity, null_count
    )


def _codes(values: list[str], idx: np.ndarray) -> pa.Array:
    """Index array -> string array from ``values`` (``-1`` -> null)."""
    idx = np.asarray(idx, dtype=np.int64)
    mask = idx < 0
    arr = pa.array(idx, mask=mask) if mask.any() else pa.array(idx)
    return pa.array(values, pa.string()).take(arr)


def _bools(v: np.ndarray) -> pa.Array:
    """int8 with -1 null, 0 false, 1 true -> nullable boolean array."""
    return pa.array(v == 1, mask=(v < 0), type=pa.bool_())


def _ts(us: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    us = np.asarray(us, dtype=np.int64)
    if valid is None:
        return pa.array(us, type=pa.timestamp("us", tz="UTC"))
    return pa.array(us, mask=~valid, type=pa.timestamp("us", tz="UTC"))


def _new_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(1, np.iinfo(np.uint64).max, n, dtype=np.uint64, endpoint=True)


def _local_hour_to_utc_seconds(rng, hours: np.ndarray) -> np.ndarray:
    return ((hours - 8) % 24) * 3600.0 + rng.random(len(hours)) * 3600.0


def _resolve_mix(mix: dict | None) -> np.ndarray:
    if not mix:
        shares = dict(DEFAULT_MIX)
    else:
        shares = {}
        coarse = {c: [a for a in ARCHETYPES if TRUE_CLASS[A[a]] == c] for c in CLASSES}
        for key, value in mix.items():
            if key in A:
                shares[key] = shares.get(key, 0.0) + float(value)
            elif key in coarse:
                subs = coarse[key]
                tot = sum(DEFAULT_MIX[s] for s in subs)
                for s in subs:
                    shares[s] = shares.get(s, 0.0) + float(value) * DEFAULT_MIX[s] / tot
            else:
                raise ValueError(f"unknown archetype in mix: {key!r}")
    p = np.array([shares.get(a, 0.0) for a in ARCHETYPES], dtype=float)
    if p.sum() <= 0 or (p < 0).any():
        raise ValueError("mix shares must be non-negative and not all zero")
    return p / p.sum()


def _exact_counts(p: np.ndarray, n: int) -> np.ndarray:
    raw = p * n
    counts = np.floor(raw).astype(np.int64)
    rest = n - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts
