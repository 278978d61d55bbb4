"""``report.html``: a self-contained page for a compliance officer (no network; charts are
matplotlib inline SVG with axes; prints on A4).

Every number comes from the run date's metrics, the warehouse and the settings the run
used; every rule text is written from those settings (``rule_texts``), never from
template literals. Accounts appear only as keyed pseudonyms (``pseudonyms.py``).
"""

from __future__ import annotations

import io
from pathlib import Path

import jinja2
import pandas as pd

from realpeople.defs.publish.pseudonyms import pseudonym
from realpeople.warehouse import sql_reader

sql = sql_reader(__file__)
TEMPLATE = Path(__file__).parent / "templates" / "report.html.j2"
TREND_METRICS = (
    ("accounts_actioned_terminate", "Accounts terminated", "count"),
    ("accounts_actioned_warn_and_limit", "Accounts warned and limited", "count"),
    ("review_queue_size", "Accounts in the review queue", "count"),
    ("appeals_filed", "Appeals filed (to date)", "count"),
    ("proactive_rate", "Proactive rate", "fraction"),
    ("prevalence_ai_managed_estimate", "Prevalence of AI-managed accounts", "fraction"),
    ("ai_marker_posts_labelled_share", "AI-marked posts that show the label", "fraction"),
    ("networks_actioned", "Coordinated networks actioned", "count"),
)
SHOWN_ACCOUNTS = 20


def _fmt(value: float | None, unit: str = "count") -> str:
    if value is None or pd.isna(value):
        return "–"
    if unit == "fraction":
        return f"{value:.1%}"
    if unit == "score":
        return f"{value:.3f}"
    if unit == "hours":
        return f"{value:,.1f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _svg_chart(points: pd.DataFrame, title: str, unit: str) -> str:
    """A line chart of (run_date, value) with labelled axes, as inline SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    points = points.dropna()
    if points.empty:
        return "<p class='muted'>no data yet</p>"
    dates = pd.to_datetime(points["run_date"])
    values = points["value"].astype(float)
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: selectable, small
    fig, ax = plt.subplots(figsize=(4.2, 2.0), dpi=100)
    ax.plot(dates, values, marker="o", markersize=3, linewidth=1.5, color="#2b6cb0")
    for x, y in zip(dates.iloc[[-1]], values.iloc[[-1]]):
        ax.annotate(
            _fmt(y, unit),
            (x, y),
            textcoords="offset points",
            xytext=(0, 5),
            ha="center",
            fontsize=8,
        )
    ax.set_title(title, fontsize=9, loc="left")
    ax.set_xlabel("run date", fontsize=8)
    ax.set_ylabel(
        {"fraction": "share", "count": "accounts" if "ccount" in title else "count"}.get(
            unit, unit
        ),
        fontsize=8,
    )
    ax.tick_params(labelsize=7)
    if dates.nunique() <= 6:
        ax.set_xticks(dates)
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=6))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    if unit == "fraction":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    else:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=unit == "count"))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out = io.StringIO()
    # no RDF metadata block: it would carry links (purl.org, matplotlib.org) into a page
    # that must make no network reference
    fig.savefig(
        out, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None}
    )
    plt.close(fig)
    svg = out.getvalue()
    return svg[svg.index("<svg") :]


def rule_texts(settings, v: dict) -> dict[str, str]:
    """The rules as the run applied them, from the settings (and the model's thresholds)."""

    def pct(x: float) -> str:
        return f"{x:.0%}" if round(x * 100, 6).is_integer() else f"{x:.1%}"

    terminate_bar = v.get("terminate_threshold")
    warn_bar = v.get("warn_and_limit_threshold")
    return {
        "terminate": (
            "Terminate where the calibrated probability that automation runs the account reaches "
            + (
                f"{terminate_bar:.3f}"
                if terminate_bar is not None and not pd.isna(terminate_bar)
                else "the model's threshold"
            )
            + f", the lowest score at which precision against moderators' verdicts is at least "
            f"{pct(settings.terminate_precision)} × (1 − {pct(settings.label_noise)} verdicts assumed wrong)."
        ),
        "warn": (
            "Warn and limit where the probability that AI is involved at all — P(AI writing help) + "
            "P(run by automation) — reaches "
            + (
                f"{warn_bar:.3f}"
                if warn_bar is not None and not pd.isna(warn_bar)
                else "the model's threshold"
            )
            + " and the terminate bar is not reached."
        ),
        "override": (
            f"A moderator's verdict from the last {settings.review_override_days} days overrides the model, "
            f"unless the model flatly contradicts it (P(run by automation) below {settings.second_review_below:g} "
            f"for a verdict of automation, P(any AI) below {settings.second_review_below:g} for one of AI "
            "writing help): then a second moderator reviews it."
        ),
        "brake": (
            f"Publishing stops (safety brake) if terminations exceed {settings.brake_factor:g}× the median of "
            f"the last {settings.brake_history_runs} published runs (once {settings.brake_min_history} exist, "
            f"and at {settings.brake_min_terminate} terminations or more), or if the score distribution "
            f"shifts by a PSI above {settings.brake_psi:g}, until an operator releases it."
        ),
        "window": f"the {settings.feature_window_days}-day window to the run date",
        "audits": (
            f"An action's precision is stated once {settings.precision_min_audits} of its accounts "
            "have been audited at random after the action."
        ),
    }


def report_inputs(con, run_date: str, settings, key: bytes) -> dict:
    """What the report needs beyond the metrics: rule texts, reasons by family, networks
    and the actioned accounts shown (pseudonyms)."""
    families = con.execute(sql("reasons_by_family.sql"), {"run_date": run_date}).df()
    networks = con.execute(sql("networks_for_run_date.sql"), {"run_date": run_date}).df()
    shown = con.execute(sql("enforcement_list_for_run_date.sql"), {"run_date": run_date}).df()
    shown = shown.sort_values("score_ai_managed", ascending=False, na_position="last").head(
        SHOWN_ACCOUNTS
    )
    return {
        "settings": settings,
        "families": families.to_dict("records"),
        "networks": [
            {**n, "member_ids": None, "shown": [pseudonym(a, key) for a in n["member_ids"][:5]]}
            for n in networks.to_dict("records")
        ],
        "shown": [
            {**r, "account_id": pseudonym(r["account_id"], key)} for r in shown.to_dict("records")
        ],
    }


def render_report(
    run_date: str,
    enforcement: pd.DataFrame,
    metrics: pd.DataFrame,
    history: pd.DataFrame,
    labelling: pd.DataFrame,
    *,
    settings=None,
    families: list | None = None,
    networks: list | None = None,
    shown: list | None = None,
) -> str:
    """The page. Without ``settings`` (a bare call) the defaults are read from the
    environment; ``shown`` must already carry pseudonyms (no account id is printed)."""
    if settings is None:
        from realpeople.settings import load_settings

        settings = load_settings()
    values = {
        m: (None if pd.isna(x) else float(x)) for m, x in zip(metrics["metric"], metrics["value"])
    }
    units = dict(zip(metrics["metric"], metrics["unit"])) if "unit" in metrics else {}
    rows = [
        {
            "metric": m,
            "value": _fmt(values[m], units.get(m) or "count"),
            "unit": units.get(m) or "",
            "description": d,
        }
        for m, d in zip(metrics["metric"], metrics["description"])
    ]
    trends = []
    for metric, title, unit in TREND_METRICS:
        points = history.loc[history["metric"] == metric, ["run_date", "value"]]
        trends.append(_svg_chart(points, title, unit))
    daily = labelling.rename(columns={"day": "run_date", "marker_posts_labelled_share": "value"})
    labelling_svg = _svg_chart(
        daily.reindex(columns=["run_date", "value"]),
        "AI-marked posts that show the label, per day",
        "fraction",
    )
    audits = {}
    for action in ("terminate", "warn_and_limit"):
        n = int(values.get(f"{action}_audit_sample_size") or 0)
        audits[action] = {
            "n": n,
            "enough": n >= settings.precision_min_audits,
            "needed": max(0, settings.precision_min_audits - n),
            "precision": values.get(f"{action}_precision_audit_estimate"),
            "appeals": values.get(f"{action}_precision_appeals_estimate"),
        }
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    return env.get_template(TEMPLATE.name).render(
        run_date=run_date,
        v=values,
        fmt=_fmt,
        rows=rows,
        trends=trends,
        labelling_svg=labelling_svg,
        labelling=labelling.to_dict("records"),
        rules=rule_texts(settings, values),
        audits=audits,
        families=families or [],
        networks=networks or [],
        shown=shown or [],
        s=settings,
    )
