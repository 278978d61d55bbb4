"""Check the Dagster and MLflow UIs in a real browser, and save their screenshots.

    python scripts/ui_check.py [--accounts 1500] [--days 4] [--end-date 2026-11-15]
                               [--out docs] [--keep]

1. Makes a small world in a temporary folder (simulated deliveries, its own data dir,
   DAGSTER_HOME and MLflow store) and runs ``python -m realpeople run`` on it, so a
   model is registered as ``champion`` and Dagster has runs.
2. Starts both UIs on 127.0.0.1 (``scripts/ui.py``'s helpers; ports from
   REALPEOPLE_DAGSTER_PORT / REALPEOPLE_MLFLOW_PORT, default 3000 / 5000) and waits until
   both answer.
3. Drives Debian's Chromium (``/usr/bin/chromium``, or REALPEOPLE_CHROMIUM) through
   Playwright, headless: the Dagster global asset lineage; the ``raw/events`` asset,
   Materialize, one partition (the end date), Launch; the run page until it shows
   Success; the MLflow experiment's training runs; the registered model and its
   ``champion`` alias. Screenshots go to ``<out>/ui-*.png``.
4. Stops every process it started (also on failure) and checks none is left.

Needs the ``ui-check`` extra (``make ui-check`` installs it). Never run
``playwright install``: the browser is the system's Chromium. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

import ui

from realpeople.settings import load_settings

CHROMIUM = os.environ.get("REALPEOPLE_CHROMIUM", "/usr/bin/chromium")
# Headless, as root, on a closed network: no sandbox, and none of Chromium's own traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1600, "height": 1000}
MODEL = "account_authenticity"
ASSET = "raw/events"

_T0 = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f} s] {message}", flush=True)


# --- the world ---------------------------------------------------------------------


def world_env(root: Path) -> dict[str, str]:
    return {
        "REALPEOPLE_LANDING_DIR": str(root / "landing"),
        "REALPEOPLE_DATA_DIR": str(root / "data"),
        "DAGSTER_HOME": str(root / "data" / "dagster_home"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{root / 'data' / 'mlflow' / 'mlflow.db'}",
    }


def run_logged(cmd: list[str], log: Path, env: dict[str, str], timeout: float) -> None:
    with open(log, "w", encoding="utf-8") as out:
        done = subprocess.run(
            cmd,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise RuntimeError(f"{' '.join(cmd[1:4])} failed ({done.returncode}); log {log}:\n{tail}")


def make_world(root: Path, accounts: int, days: int, end_date: str) -> None:
    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = os.environ.copy()
    say(f"simulating {accounts:,} accounts x {days} days to {end_date} in {root}")
    run_logged(
        [
            sys.executable,
            "-m",
            "realpeople.simulator",
            "--accounts",
            str(accounts),
            "--days",
            str(days),
            "--seed",
            "7",
            "--end-date",
            end_date,
            "--landing-dir",
            env["REALPEOPLE_LANDING_DIR"],
            "--truth-path",
            str(root / "data" / "simulator" / "ground_truth.parquet"),
        ],
        logs / "simulate.log",
        env,
        timeout=600,
    )
    say("python -m realpeople run (ingest, features, training, publish)")
    run_logged(
        [sys.executable, "-m", "realpeople", "run"], logs / "pipeline.log", env, timeout=1800
    )
    say("pipeline done: a champion model is registered and Dagster has runs")


# --- the browser -------------------------------------------------------------------


def shoot(page, path: Path) -> None:
    page.screenshot(path=str(path))
    say(f"screenshot {path}")


def dagster_lineage(page, base: str, out: Path) -> None:
    say("Dagster: Lineage (global asset lineage)")
    page.goto(f"{base}/asset-groups")
    page.get_by_text("Global asset lineage").first.wait_for(timeout=120_000)
    # The graph opens with each group collapsed; its context menu expands them.
    page.get_by_role("button", name=re.compile("Materialize all")).wait_for(timeout=120_000)
    for _ in range(20):
        page.mouse.click(VIEWPORT["width"] - 350, VIEWPORT["height"] - 150, button="right")
        item = page.get_by_role("menuitem", name="Expand all groups")
        try:
            item.click(timeout=3_000)
            break
        except Exception:  # the graph is still laying out: the menu is not there yet
            page.keyboard.press("Escape")
            page.wait_for_timeout(1_000)
    else:
        raise RuntimeError("the asset graph's 'Expand all groups' menu never appeared")
    page.get_by_text("account_features").first.wait_for(timeout=60_000)
    # Expanded groups are remembered: reloading fits the whole expanded graph to the view.
    page.reload()
    page.get_by_text("account_features").first.wait_for(timeout=120_000)
    page.wait_for_timeout(4_000)  # let the layout settle and statuses load
    shoot(page, out / "ui-dagster-lineage.png")


def dagster_materialize_partition(
    page, base: str, partition: str, out: Path, timeout: float
) -> str:
    say(f"Dagster: {ASSET} > Materialize... > partition {partition} > Launch 1 run")
    page.goto(f"{base}/assets/{ASSET}")
    page.get_by_role("button", name="Materialize…").click(timeout=120_000)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Partition selection").wait_for(timeout=60_000)
    # The "Custom" selection: a text box taking partition keys and ranges.
    box = dialog.get_by_placeholder("No matching partitions")
    if not box.count():
        box = dialog.locator("input[type=text], input:not([type])").first
    box.click()
    box.fill(partition)
    box.press("Enter")
    launch = dialog.get_by_role("button", name="Launch 1 run")
    launch.wait_for(timeout=30_000)
    launch.click()
    toast = page.get_by_text(re.compile(r"Launched run [0-9a-f]{8}"))
    toast.wait_for(timeout=60_000)
    short = re.search(r"[0-9a-f]{8}", toast.inner_text()).group(0)
    say(f"launched run {short}; opening the run page")
    try:
        page.get_by_role("link", name="View").or_(
            page.get_by_role("button", name="View")
        ).first.click(timeout=10_000)
        page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}"), timeout=30_000)
    except Exception:  # the toast went away: find the run in the runs list
        page.goto(f"{base}/runs")
        page.get_by_text(short).first.click(timeout=60_000)
        page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}"), timeout=30_000)
    run_id = page.url.rstrip("/").split("/runs/")[1].split("?")[0]

    # The status tag in the run page's header: Queued, Starting, Started, Success, Failure.
    status = page.get_by_text(
        re.compile(r"^(Queued|Not started|Starting|Started|Success|Failure|Canceled|Canceling)$")
    ).first
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        try:
            now = status.inner_text(timeout=10_000).strip()
        except Exception:
            now = "?"
        if now != last:
            say(f"run {short}: {now}")
            last = now
        if now in ("Success", "Failure", "Canceled"):
            break
        if time.monotonic() > deadline:
            shoot(page, out / "ui-dagster-run.png")
            raise TimeoutError(f"run {run_id} still {now} after {timeout:.0f} s")
        page.wait_for_timeout(5_000)
        if now in ("Queued", "?"):
            page.reload()  # a queued run's page does not always refresh its header
    page.wait_for_timeout(2_000)
    shoot(page, out / "ui-dagster-run.png")
    if last != "Success":
        raise RuntimeError(f"run {run_id} ended {last}: see {base}/runs/{run_id}")
    return run_id


def mlflow_journey(page, base: str, out: Path) -> None:
    # MLflow 3 opens in its GenAI mode (traces, token costs); training runs are under
    # "Model training". A first-visit pop-over and the Assistant panel get in the way.
    page.add_locator_handler(
        page.get_by_role("button", name="Got it"),
        lambda: page.get_by_role("button", name="Got it").click(),
    )
    # The model registry announces its "new Model Registry UI" (already on) in a modal.
    page.add_locator_handler(
        page.get_by_text("with the new Model Registry UI"),
        lambda: page.get_by_role("button", name="Try it now").click(),
    )
    say(f"MLflow: Experiments > Model training > {MODEL} (training runs)")
    page.goto(f"{base}/#/experiments")
    page.get_by_text("Model training", exact=True).first.click(timeout=120_000)
    page.get_by_role("link", name=MODEL).first.click(timeout=60_000)
    page.wait_for_url(re.compile(r"/experiments/\d+/runs"), timeout=60_000)
    page.get_by_text(re.compile(r"\d+ matching runs?")).first.wait_for(timeout=60_000)
    close_assistant(page)
    page.wait_for_timeout(2_000)
    shoot(page, out / "ui-mlflow-experiment.png")

    say(f"MLflow: Model registry > {MODEL} (aliases)")
    page.get_by_text("Model registry", exact=True).first.click(timeout=30_000)
    page.wait_for_url(re.compile(r"#/models"), timeout=30_000)
    # (the side bar's link back to the experiment has the same name: take the table's)
    page.locator(f"a[href$='/models/{MODEL}']").first.click(timeout=60_000)
    page.get_by_text("champion").first.wait_for(timeout=60_000)
    close_assistant(page)
    page.wait_for_timeout(1_000)
    shoot(page, out / "ui-mlflow-model.png")


def close_assistant(page) -> None:
    """Close MLflow's Assistant side panel, if open (it takes a third of the width)."""
    page.wait_for_timeout(1_500)  # it opens a moment after the page
    panel = page.get_by_text("MLflow Assistant").first
    if panel.count() and panel.is_visible():
        header = panel.locator("xpath=ancestor::*[.//button][1]")
        buttons = header.get_by_role("button")
        if buttons.count():
            buttons.last.click()
            page.wait_for_timeout(500)


def browse(
    dagster: str, mlflow: str, partition: str, out: Path, run_timeout: float, failure_shot: Path
) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(60_000)
            # Dagster asks once per instance to join its community: skip it.
            page.add_locator_handler(
                page.get_by_text("Join the Dagster community"),
                lambda: page.get_by_role("button", name="Skip").click(),
            )
            try:
                dagster_lineage(page, dagster, out)
                run_id = dagster_materialize_partition(page, dagster, partition, out, run_timeout)
                mlflow_journey(page, mlflow, out)
            except BaseException:
                try:
                    page.screenshot(path=str(failure_shot))
                    say(f"failed on {page.url}; screenshot {failure_shot}")
                except Exception:
                    pass
                raise
            return run_id
        finally:
            browser.close()


# --- processes ---------------------------------------------------------------------


def leftovers(marker: str) -> list[str]:
    """Processes (other than this one) whose command line or environment mentions ``marker``."""
    found = []
    needle = marker.encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if needle in cmdline or needle in environ:
            command = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{proc.name} {command[:160]}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1500)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--end-date", default="2026-11-15")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="where the ui-*.png go")
    parser.add_argument(
        "--run-timeout",
        type=float,
        default=1800,
        help="seconds to wait for the launched run to succeed",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary world")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium, or set REALPEOPLE_CHROMIUM",
            file=sys.stderr,
        )
        return 2
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("Playwright is missing: make ui-check (installs the ui-check extra)", file=sys.stderr)
        return 2

    root = Path(tempfile.mkdtemp(prefix="realpeople-ui-check-"))
    os.environ.update(world_env(root))
    for name, value in (
        ("OMP_WAIT_POLICY", "passive"),
        ("DBT_SEND_ANONYMOUS_USAGE_STATS", "false"),
        ("GX_ANALYTICS_ENABLED", "false"),
        ("MLFLOW_DISABLE_TELEMETRY", "true"),
    ):
        os.environ.setdefault(name, value)
    args.out.mkdir(parents=True, exist_ok=True)
    dagster_port, mlflow_port = ui.dagster_port(), ui.mlflow_port()
    dagster, mlflow = f"http://127.0.0.1:{dagster_port}", f"http://127.0.0.1:{mlflow_port}"
    servers: dict = {}
    ok = False
    try:
        make_world(root, args.accounts, args.days, args.end_date)
        settings = load_settings()
        say(f"starting the Dagster UI on {dagster} and the MLflow UI on {mlflow}")
        servers = ui.start_servers(settings, dagster_port, mlflow_port, log_dir=root / "logs")
        took = ui.wait_until_up(
            {"Dagster UI": f"{dagster}/server_info", "MLflow UI": f"{mlflow}/health"},
            servers,
            timeout=600,
        )
        say("both answer: " + ", ".join(f"{k} after {v:.0f} s" for k, v in took.items()))
        run_id = browse(
            dagster, mlflow, args.end_date, args.out, args.run_timeout, root / "failure.png"
        )
        say(f"run {run_id} succeeded")
        ok = True
    finally:
        say("stopping the UIs")
        ui.stop_servers(servers)
        left = []
        for _ in range(10):
            left = leftovers(str(root))
            if not left:
                break
            time.sleep(2)
        if left:
            print("processes left running:\n  " + "\n  ".join(left), file=sys.stderr)
            ok = False
        else:
            say("no process of this check is left")
        if ok and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            say(f"world and server logs kept in {root}")
    if not ok:
        return 1
    say(f"UI check passed in {time.perf_counter() - _T0:.0f} s; screenshots in {args.out}/ui-*.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
