"""Start the Dagster UI and the MLflow UI on 127.0.0.1; Ctrl-C stops both.

Both servers are started in their own session with SIGINT/SIGTERM restored to their
defaults (a server started from a non-interactive shell inherits SIGINT ignored, and
`dagster dev` then ignores SIGTERM too), and are stopped by process group.

Ports: REALPEOPLE_DAGSTER_PORT (3000) and REALPEOPLE_MLFLOW_PORT (5000). The helpers
(:func:`start_servers`, :func:`wait_until_up`, :func:`stop_servers`) are also used by
``scripts/ui_check.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from realpeople.settings import REPO_ROOT, Settings, load_settings


def dagster_port() -> int:
    return int(os.environ.get("REALPEOPLE_DAGSTER_PORT", "3000"))


def mlflow_port() -> int:
    return int(os.environ.get("REALPEOPLE_MLFLOW_PORT", "5000"))


def _restore_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def start(cmd: list[str], env: dict, log: Path | None = None) -> subprocess.Popen:
    """Start ``cmd`` in its own session (its own process group), signals at defaults.

    ``log``: write its stdout and stderr there instead of the terminal.
    """
    out = open(log, "ab") if log is not None else None  # noqa: SIM115 (closed below)
    try:
        return subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            start_new_session=True,
            preexec_fn=_restore_signals,  # noqa: PLW1509 (the launcher starts no thread)
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
        )
    finally:
        if out is not None:
            out.close()  # the child keeps its own descriptor


def stop(proc: subprocess.Popen, name: str) -> None:
    """SIGINT, then SIGTERM, then SIGKILL to the whole process group, until it is gone."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
                print(f"stopped {name}")
                break
            except subprocess.TimeoutExpired:
                continue
    # The leader may be gone while children it left in the group live on
    # (`dagster dev` spawns the code server and the daemon): clear the group.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def server_commands(settings: Settings, dagster: int, mlflow: int) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    return {
        # dg dev: the project's [tool.dg] code location (realpeople.definitions), as
        # `dg list defs` and `dg check defs` see it.
        "Dagster UI": [str(bin_dir / "dg"), "dev", "--host", "127.0.0.1", "--port", str(dagster)],
        # One worker: the default four take most of MLflow's 20-45 s start on 2 cores.
        "MLflow UI": [
            str(bin_dir / "mlflow"),
            "server",
            "--host",
            "127.0.0.1",
            "--workers",
            "1",
            "--port",
            str(mlflow),
            "--backend-store-uri",
            settings.mlflow_tracking_uri,
            "--default-artifact-root",
            Path(settings.mlflow_artifact_root).as_uri(),
        ],
    }


def start_servers(
    settings: Settings, dagster: int, mlflow: int, log_dir: Path | None = None
) -> dict[str, subprocess.Popen]:
    """Start both UIs for ``settings``' data dir; ``log_dir``: their output goes to files."""
    env = {**os.environ, **settings.subprocess_env()}
    Path(settings.mlflow_artifact_root).mkdir(parents=True, exist_ok=True)
    Path(settings.mlflow_tracking_uri.removeprefix("sqlite:///")).parent.mkdir(
        parents=True, exist_ok=True
    )
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
    servers: dict[str, subprocess.Popen] = {}
    try:
        for name, cmd in server_commands(settings, dagster, mlflow).items():
            log = log_dir / f"{name.split()[0].lower()}.log" if log_dir is not None else None
            servers[name] = start(cmd, env, log)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: dict[str, subprocess.Popen]) -> None:
    for name, proc in servers.items():
        stop(proc, name)


def wait_until_up(
    urls: dict[str, str], servers: dict[str, subprocess.Popen], timeout: float = 300
) -> dict[str, float]:
    """Poll each URL until it answers 200; returns the seconds each took.

    Raises if a server exits, or if one is not up within ``timeout`` seconds.
    """
    started = time.perf_counter()
    took: dict[str, float] = {}
    while len(took) < len(urls):
        for name, url in urls.items():
            if name in took:
                continue
            proc = servers.get(name)
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode} before answering")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        took[name] = time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
        if time.perf_counter() - started > timeout:
            missing = sorted(set(urls) - set(took))
            raise TimeoutError(f"{', '.join(missing)} did not answer within {timeout:.0f} s")
        if len(took) < len(urls):
            time.sleep(1)
    return took


def main() -> int:
    settings = load_settings()
    dagster, mlflow = dagster_port(), mlflow_port()
    servers = start_servers(settings, dagster, mlflow)
    print(f"Dagster UI: http://127.0.0.1:{dagster}  (first start parses dbt: ~1 min)")
    print(f"MLflow UI:  http://127.0.0.1:{mlflow}")
    print("Ctrl-C stops both.")
    try:
        while all(p.poll() is None for p in servers.values()):
            time.sleep(1)
        for name, proc in servers.items():
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop_servers(servers)


if __name__ == "__main__":
    raise SystemExit(main())
