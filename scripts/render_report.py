"""Render a published report.html in headless Chromium and save a PNG screenshot.

    python scripts/render_report.py [REPORT_HTML] [OUT_PNG]

Defaults: the newest report under $REALPEOPLE_DATA_DIR/published, and docs/report.png.
Needs Debian's `chromium` (apt-get install chromium); the page loads nothing from the
network, and Chromium is started with its background networking off.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


from realpeople.settings import REPO_ROOT, load_settings  # noqa: E402


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("Chromium not found: apt-get install chromium")


def render(report: Path, out: Path, width: int = 1100, height: int = 2600) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
            f"--window-size={width},{height}", f"--screenshot={out}", report.resolve().as_uri(),
        ], check=True, capture_output=True, timeout=120)
    if not out.exists() or out.stat().st_size < 10_000:
        raise SystemExit(f"Chromium did not render {report} (no or tiny screenshot)")
    return out


def main() -> int:
    if len(sys.argv) > 1:
        report = Path(sys.argv[1])
    else:
        reports = sorted(Path(load_settings().published_dir).glob("*/report.html"))
        if not reports:
            raise SystemExit("no published report yet: run `make demo` first")
        report = reports[-1]
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else REPO_ROOT / "docs" / "report.png"
    print(render(report, out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
