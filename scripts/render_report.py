"""Render a published report.html the way it prints (A4) and save every page as one PNG.

    python scripts/render_report.py [REPORT_HTML] [OUT_PNG]      (or: make report-png)

Defaults: the newest report under $REALPEOPLE_DATA_DIR/published, and docs/report.png.
The report is a compliance document that is printed and filed, so the picture is its
print: WeasyPrint lays it out with the report's own print CSS (A4), pdfium rasterises
each page, and the pages are stacked top to bottom, so the picture shows the whole
report, to the Methods section at its end. Both come from the package registry (the
`docs` extra), no browser; nothing is loaded from the network (the report is
self-contained).
"""

from __future__ import annotations

import sys
from pathlib import Path

from realpeople.settings import REPO_ROOT, load_settings

GAP = 12  # pixels of grey between two pages


def render(report: Path, out: Path, scale: float = 1.4) -> tuple[Path, int]:
    """Write ``out`` (PNG) from ``report``; return it and the number of A4 pages."""
    import pypdfium2 as pdfium
    import weasyprint
    from PIL import Image

    pdf = weasyprint.HTML(filename=str(report)).write_pdf()
    document = pdfium.PdfDocument(pdf)
    pages = [document[i].render(scale=scale).to_pil() for i in range(len(document))]
    if not pages:
        raise SystemExit(f"{report} rendered to no page")
    width = max(p.width for p in pages)
    sheet = Image.new(
        "RGB", (width, sum(p.height for p in pages) + GAP * (len(pages) - 1)), "#9e9e9e"
    )
    top = 0
    for page in pages:
        sheet.paste(page, (0, top))
        top += page.height + GAP
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    return out, len(pages)


def main() -> int:
    if len(sys.argv) > 1:
        report = Path(sys.argv[1])
    else:
        reports = sorted(Path(load_settings().published_dir).glob("*/report.html"))
        if not reports:
            raise SystemExit("no published report yet: run `make demo` first")
        report = reports[-1]
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else REPO_ROOT / "docs" / "report.png"
    path, pages = render(report, out)
    print(f"{path}: {pages} A4 pages of {report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
