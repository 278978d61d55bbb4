"""Where each dbt build writes its artifacts, and the parse state the next build reuses.

Grain: one folder per dbt invocation under ``settings.dbt_target_dir`` (the data dir's
``dbt_target/``), plus that data dir's ``partial_parse.msgpack``.

dagster-dbt gives every invocation a fresh target folder (artifacts of concurrent builds
must not mix) and seeds it with the project's ``target/partial_parse.msgpack``; but that
file comes from ``dbt parse`` with another profile and no vars, so dbt threw it away and
parsed the whole project on every build (~3-6 s here), and the fresh folders piled up in
the repository (hundreds of MB). Here the folders live under the data dir, each is seeded
with the parse state the last successful build of the same data dir left, that state is
updated after every successful build (replaced atomically), and only the newest few
folders are kept.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

PARTIAL_PARSE = "partial_parse.msgpack"
# Invocation folders kept for inspection (manifest, run_results, dbt.log); older ones go.
KEEP_INVOCATIONS = 8


def invocation_target(target_dir: Path, label: str) -> Path:
    """A new, empty folder for one dbt invocation, seeded with the kept parse state."""
    target_dir = Path(target_dir)
    folder = target_dir / "invocations" / f"{label}-{uuid.uuid4().hex[:7]}"
    folder.mkdir(parents=True)
    state = target_dir / PARTIAL_PARSE
    if state.exists():
        shutil.copyfile(state, folder / PARTIAL_PARSE)
    return folder


def keep_parse_state(target_dir: Path, invocation: Path) -> bool:
    """After a successful build: its parse state becomes the one the next build starts
    from (written beside, then renamed: a reader never sees half a file); older invocation
    folders beyond :data:`KEEP_INVOCATIONS` are removed. Returns whether a state was kept."""
    target_dir = Path(target_dir)
    produced = Path(invocation) / PARTIAL_PARSE
    kept = False
    if produced.exists():
        partial = target_dir / f".{PARTIAL_PARSE}.{uuid.uuid4().hex[:7]}"
        shutil.copyfile(produced, partial)
        os.replace(partial, target_dir / PARTIAL_PARSE)
        kept = True
    folders = sorted(
        (p for p in (target_dir / "invocations").iterdir() if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
    )
    for old in folders[:-KEEP_INVOCATIONS]:
        if old != Path(invocation):
            shutil.rmtree(old, ignore_errors=True)
    return kept
