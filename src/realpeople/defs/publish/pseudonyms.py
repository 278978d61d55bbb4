"""Keyed pseudonyms for account ids in what leaves trust & safety (issue 18).

``report.html``, the statements of reasons and the networks carry
``pseudonym(account_id)``: HMAC-SHA256 of the id under a per-installation key, cut to
16 hex digits (64 bits: no collision among a billion accounts is expected). Without the
key nobody can link a pseudonym to an account id, not even by hashing every known id;
with it, authorised staff map one back (``python -m realpeople pseudonym <p>``), by
recomputing the pseudonym of every account the warehouse knows.

The key is created on first use under the data dir (``<data>/secrets/pseudonym.key``,
never in the repository), readable by its owner only. Losing it changes every future
pseudonym; keep it with the warehouse's backups.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

PREFIX = "p-"
DIGITS = 16
KEY_BYTES = 32


def key_path(data_dir: str | Path) -> Path:
    """Where the installation's key lives."""
    return Path(data_dir) / "secrets" / "pseudonym.key"


def load_key(data_dir: str | Path) -> bytes:
    """The installation's key, created (owner-only: folder 0700, file 0600) on first use.

    Two processes creating it at once: ``O_EXCL`` lets one win; the other reads its key.
    """
    path = key_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = bytes.fromhex(path.read_text().strip())
        if len(key) < 16:
            raise ValueError(
                f"{path}: the pseudonym key is shorter than 16 bytes; "
                "restore it from a backup (a new key changes every pseudonym)"
            )
        return key
    key = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex())
    return key


def pseudonym(account_id: str, key: bytes) -> str:
    """The account's pseudonym under ``key``: ``p-`` and 16 hex digits."""
    digest = hmac.new(key, account_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:DIGITS]


def pseudonymise(account_ids: Iterable[str], key: bytes) -> list[str]:
    return [pseudonym(a, key) for a in account_ids]


def resolve(wanted: str, candidates: Iterable[str], key: bytes) -> list[str]:
    """The account ids among ``candidates`` whose pseudonym is ``wanted`` (one, normally)."""
    wanted = wanted.strip().lower()
    if not wanted.startswith(PREFIX):
        wanted = PREFIX + wanted
    return [a for a in candidates if pseudonym(a, key) == wanted]
