"""Start the Dagster UI and the MLflow UI on 127.0.0.1; Ctrl-C stops both.

Both servers are started in their own session with SIGINT/SIGTERM restored to their
defaults (a server started from a non-interactive shell inherits SIGINT ignored, and
`dagster dev` then ignores SIGTERM too), and are stopped by process group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orchestration.settings import REPO_ROOT, load_settings  # noqa: E402

DAGSTER_PORT = int(os.environ.get("REALPEOPLE_DAGSTER_PORT", "3000"))
MLFLOW_PORT = int(os.environ.get("REALPEOPLE_MLFLOW_PORT", "5000"))


def _restore_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def start(cmd: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, start_new_session=True,
                            preexec_fn=_restore_signals)


def stop(proc: subprocess.Popen, name: str) -> None:
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            print(f"stopped {name}")
            return
        except subprocess.TimeoutExpired:
            continue


def main() -> int:
    settings = load_settings()
    env = {**os.environ, **settings.subprocess_env()}
    bin_dir = Path(sys.executable).parent
    Path(settings.mlflow_artifact_root).mkdir(parents=True, exist_ok=True)
    Path(settings.mlflow_tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    servers = {
        "Dagster UI": start([str(bin_dir / "dagster"), "dev", "-w", "workspace.yaml",
                             "-h", "127.0.0.1", "-p", str(DAGSTER_PORT)], env),
        "MLflow UI": start([str(bin_dir / "mlflow"), "server", "--host", "127.0.0.1",
                            "--port", str(MLFLOW_PORT),
                            "--backend-store-uri", settings.mlflow_tracking_uri,
                            "--default-artifact-root", Path(settings.mlflow_artifact_root).as_uri()], env),
    }
    print(f"Dagster UI: http://127.0.0.1:{DAGSTER_PORT}  (first start parses dbt: ~1 min)")
    print(f"MLflow UI:  http://127.0.0.1:{MLFLOW_PORT}")
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
        for name, proc in servers.items():
            stop(proc, name)


if __name__ == "__main__":
    raise SystemExit(main())
