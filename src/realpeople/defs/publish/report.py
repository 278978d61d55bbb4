"""``report.html``: a self-contained page for compliance staff (no network, inline SVG)."""

from __future__ import annotations

import html
from pathlib import Path

import jinja2
import pandas as pd

TEMPLATE = Path(__file__).parent / "templates" / "report.html.j2"
TREND_METRICS = (
    ("accounts_actioned_terminate", "Accounts terminated"),
    ("accounts_actioned_warn_and_limit", "Accounts warned and limited"),
    ("prevalence_ai_managed_estimate", "Estimated prevalence of AI-managed accounts"),
    ("ai_marker_posts_labelled_share", "AI-marked posts that show the visible label"),
)


def _fmt(value: float | None, metric: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    if any(metric.endswith(s) for s in ("_share", "_rate", "_estimate", "_low", "_high", "_precision",
                                        "_recall")):
        return f"{value:.1%}"
    if metric.endswith("_threshold"):
        return f"{value:.3f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _sparkline(points: pd.DataFrame, metric: str = "", width: int = 320, height: int = 80) -> str:
    """An inline SVG line chart of (run_date, value)."""
    points = points.dropna()
    if points.empty:
        return "<p class='muted'>no data yet</p>"
    points = points.assign(run_date=pd.to_datetime(points["run_date"]).dt.strftime("%Y-%m-%d"))
    values = points["value"].astype(float).tolist()
    if len(values) == 1:
        return (f"<p><b>{_fmt(values[0], metric)}</b> <span class='muted'>on {points['run_date'].iloc[0]} "
                "(one run so far; the trend builds up with each published run)</span></p>")
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    n = len(values)
    xs = [10 + (width - 20) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    ys = [height - 15 - (height - 30) * ((v - lo) / span) for v in values]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    dots = "".join(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='2.5'><title>{html.escape(str(d))}: {v:g}</title></circle>"
                   for x, y, d, v in zip(xs, ys, points["run_date"], values))
    first, last = str(points["run_date"].iloc[0]), str(points["run_date"].iloc[-1])
    return (f"<svg viewBox='0 0 {width} {height}' width='{width}' height='{height}' role='img'>"
            f"<polyline fill='none' stroke='#2b6cb0' stroke-width='2' points='{path}'/>{dots}"
            f"<text x='10' y='{height - 2}' font-size='10'>{first}</text>"
            f"<text x='{width - 10}' y='{height - 2}' font-size='10' text-anchor='end'>{last}</text></svg>")


def render_report(run_date: str, enforcement: pd.DataFrame, metrics: pd.DataFrame,
                  history: pd.DataFrame, labelling: pd.DataFrame) -> str:
    values = dict(zip(metrics["metric"], metrics["value"]))
    rows = [{"metric": m, "value": _fmt(v, m), "description": d}
            for m, v, d in zip(metrics["metric"], metrics["value"], metrics["description"])]
    trends = []
    for metric, title in TREND_METRICS:
        points = history.loc[history["metric"] == metric, ["run_date", "value"]]
        trends.append({"title": title, "svg": _sparkline(points, metric)})
    daily = labelling.rename(columns={"day": "run_date", "marker_posts_labelled_share": "value"})
    labelling_svg = _sparkline(daily.reindex(columns=["run_date", "value"]), "labelled_share")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE.parent),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    return env.get_template(TEMPLATE.name).render(
        run_date=run_date, v=values, fmt=_fmt, rows=rows, trends=trends, labelling_svg=labelling_svg,
        top=enforcement.head(20).to_dict("records"),
    )
