"""The dbt project, and the manifest Dagster builds its assets from.

Kept in its own module: ``@dbt_assets`` reads ``target/manifest.json`` when its module is
imported, so the manifest must exist (and be current) before that import.
"""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

from realpeople.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests", "seeds", "snapshots")


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in _SOURCES:
        path = project_dir / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            newest = max([newest, *(p.stat().st_mtime for p in path.rglob("*") if p.is_file())])
    return newest


def project_fingerprint() -> str:
    """SHA-256 over the project's source files (paths and contents): what a features build
    compiles from. Any edit to a model, macro, test or dbt_project.yml changes it."""
    import hashlib

    digest = hashlib.sha256()
    project_dir = Path(DBT_PROJECT_DIR)
    for name in _SOURCES:
        path = project_dir / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            digest.update(str(file.relative_to(project_dir)).encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def _manifest_is_stale(manifest: Path) -> bool:
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(
        Path(DBT_PROJECT_DIR)
    )


def ensure_manifest() -> Path:
    """Parse the project if the manifest is missing or older than any project file.

    ``dagster dev`` would do this itself (``prepare_if_dev``); tests, CI and ``make run``
    are not ``dagster dev``, and a stale manifest silently runs yesterday's models.
    Processes that start together (``make test``'s two workers, ``make ui`` beside
    ``make run``) parse once: the others wait on a lock, then find the manifest current
    (two ``dbt parse`` writing one target folder at once can leave a torn manifest).
    """
    manifest = Path(dbt_project.manifest_path)
    if not _manifest_is_stale(manifest):
        return manifest
    import fcntl
    import os
    import subprocess

    from realpeople.resources import dbt_executable

    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.parent / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _manifest_is_stale(manifest):  # another process may have parsed meanwhile
            # `dbt parse` without the venv on PATH: call the environment's own dbt.
            subprocess.run(
                [
                    dbt_executable(),
                    "parse",
                    "--quiet",
                    "--project-dir",
                    str(DBT_PROJECT_DIR),
                    "--profiles-dir",
                    str(DBT_PROJECT_DIR),
                ],
                check=True,
                cwd=DBT_PROJECT_DIR,
                env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
            )
    return manifest
