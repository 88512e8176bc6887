"""The weekly PDF report (reportlab, invariant mode: the same document gives the same bytes)."""

from __future__ import annotations

import io
import re
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from nexus_contracts.analysis import AnalysisDocument
from nexus_reporter import charts

STYLES = getSampleStyleSheet()
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
)


def _n(v: float | None, nd: int = 2) -> str:
    return "-" if v is None else f"{v:.{nd}f}"


def _p(text: str, style: str = "BodyText") -> Paragraph:
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(safe, STYLES[style])


def _img(png: bytes | None, width: float = 17 * cm) -> list[Any]:
    if png is None:
        return []
    img = Image(io.BytesIO(png))
    img.drawHeight = width * img.imageHeight / img.imageWidth
    img.drawWidth = width
    return [img, Spacer(1, 0.3 * cm)]


def _table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(GRID)
    return t


def cover(doc: AnalysisDocument) -> list[Any]:
    n = doc.narrative
    out: list[Any] = [
        _p(f"NEXUS_ENA weekly energy-market report - {doc.week}", "Title"),
        _p(f"{doc.week_start_utc:%Y-%m-%d %H:%M} to {doc.week_end_utc:%Y-%m-%d %H:%M} UTC", "Italic"),
    ]
    if doc.simulated:
        out.append(
            _p("SIMULATED DATA: figures come from the built-in market simulator, not a market.", "Heading2")
        )
    out += [_p(n.headline, "Heading2"), _p(n.summary)]
    for title, items in (("Drivers", n.drivers), ("Risks", n.risks), ("Caveats", n.caveats)):
        out.append(_p(title, "Heading3"))
        out += [_p(f"- {i}") for i in items]
    out += [_p("Outlook", "Heading3"), _p(n.outlook)]
    used = "model" if n.source == "llm" else "template (fallback)"
    out.append(
        _p(
            f"Narrative: {used}; model {n.model or '-'}; tokens in/out {n.input_tokens}/{n.output_tokens}; "
            f"cost {n.cost_usd:.4f} USD. Generated {doc.generated_at:%Y-%m-%d %H:%M:%S} UTC.",
            "Italic",
        )
    )
    return [*out, PageBreak()]


def kpi_tables(doc: AnalysisDocument) -> list[Any]:
    head = [
        "market",
        "base",
        "peak",
        "off-peak",
        "min",
        "max",
        "std",
        "P5",
        "P95",
        "neg h",
        "spike h",
        "WoW %",
        "YoY %",
    ]
    rows: list[list[Any]] = [head]
    for s in doc.stats:
        rows.append(
            [
                s.area,
                _n(s.base),
                _n(s.peak),
                _n(s.offpeak),
                _n(s.min),
                _n(s.max),
                _n(s.std),
                _n(s.p5),
                _n(s.p95),
                str(s.negative_hours),
                str(s.spike_hours),
                _n(s.wow_base_change_pct, 1),
                _n(s.yoy_base_change_pct, 1),
            ]
        )
    out: list[Any] = [_p("Key figures per market (EUR/MWh, local delivery days)", "Heading2"), _table(rows)]
    reg_rows: list[list[Any]] = [["market", "term", "estimate", "HAC s.e.", "95 % CI", "p"]]
    for r in doc.regressions:
        for c in r.coefficients:
            if c.name in ("gas", "carbon", "hdd", "cdd", "wind"):
                ci = f"[{c.ci_low:.2f}, {c.ci_high:.2f}]"
                reg_rows.append([r.area, c.name, _n(c.estimate), _n(c.std_error), ci, _n(c.p_value, 3)])
    out += [Spacer(1, 0.4 * cm), _p("Drivers of the daily base price (OLS, Newey-West errors)", "Heading2")]
    out.append(_table(reg_rows))
    sens = [
        f"{r.area}: {_n(r.temperature_sensitivity_eur_mwh_per_degc)} EUR/MWh per degC (R2 {r.r_squared:.2f}, "
        f"{r.observations} days, {r.hac_lags} HAC lags)"
        for r in doc.regressions
    ]
    out += [_p(s) for s in sens]
    sp_rows: list[list[Any]] = [["market", "spark base", "spark peak", "dark base", "dark peak"]]
    for sp in doc.spreads:
        sp_rows.append(
            [
                sp.area,
                _n(sp.clean_spark_base),
                _n(sp.clean_spark_peak),
                _n(sp.clean_dark_base),
                _n(sp.clean_dark_peak),
            ]
        )
    out += [Spacer(1, 0.4 * cm), _p("Clean spreads (EUR/MWh)", "Heading2"), _table(sp_rows)]
    ol_rows: list[list[Any]] = [["market", "expected base", "backtest weeks", "MAE", "naive MAE", "rMAE"]]
    for o in doc.outlooks:
        ol_rows.append(
            [
                o.area,
                _n(o.expected_base),
                str(o.backtest_weeks),
                _n(o.backtest_mae),
                _n(o.backtest_naive_mae),
                _n(o.backtest_rmae, 3),
            ]
        )
    out += [Spacer(1, 0.4 * cm), _p("Next-week outlook and its backtest", "Heading2"), _table(ol_rows)]
    return [*out, PageBreak()]


def chart_pages(doc: AnalysisDocument) -> list[Any]:
    out: list[Any] = [_p("Charts", "Heading2")]
    for area in [s.area for s in doc.stats][:2]:
        out += _img(charts.hourly_profile(doc, area), 15 * cm)
        out += _img(charts.price_vs_temperature(doc, area), 15 * cm)
        out += _img(charts.outlook_fan(doc, area), 15 * cm)
    out += _img(charts.spreads_chart(doc), 15 * cm)
    out += _img(charts.correlation_heatmap(doc), 15 * cm)
    return [*out, PageBreak()]


def appendix(doc: AnalysisDocument) -> list[Any]:
    out: list[Any] = [_p("Data quality", "Heading2")]
    rows: list[list[Any]] = [
        ["series", "expected", "present", "complete %", "quality flags", "latest vintage (UTC)"]
    ]
    for c in doc.coverage:
        flags = ", ".join(f"{k} {v}" for k, v in sorted(c.quality.items()))
        vintage = f"{c.last_publish_utc:%Y-%m-%d %H:%M}" if c.last_publish_utc else "-"
        rows.append(
            [c.series_id, str(c.expected), str(c.present), f"{c.completeness * 100:.1f}", flags, vintage]
        )
    out.append(_table(rows))
    if doc.anomalies:
        out += [_p("Anomalous hours (robust residual z-scores)", "Heading3")]
        arows: list[list[Any]] = [["market", "hour (UTC)", "price", "z"]]
        arows += [[a.area, f"{a.at:%Y-%m-%d %H:%M}", _n(a.value), _n(a.robust_z)] for a in doc.anomalies]
        out.append(_table(arows))
    out += [_p("Stationarity, seasonality and causality", "Heading3")]
    drows: list[list[Any]] = [
        ["market", "ADF p", "KPSS p", "Granger gas->power p", "daily amp.", "weekly amp."]
    ]
    for d in doc.diagnostics:
        drows.append(
            [
                d.area,
                _n(d.adf_p_value, 3),
                _n(d.kpss_p_value, 3),
                _n(d.granger_gas_p_value, 3),
                _n(d.daily_seasonal_amplitude),
                _n(d.weekly_seasonal_amplitude),
            ]
        )
    out.append(_table(drows))
    out += [_p("Methodology and parameters", "Heading2")]
    out.append(_table([["parameter", "value"]] + [[k, str(v)] for k, v in sorted(doc.parameters.items())]))
    out += [_p("Sources and vintages", "Heading2"), _p(f"Sources: {', '.join(doc.sources) or '-'}.")]
    out.append(_p(f"Lookback: {doc.lookback_days} days before the week."))
    return out


def _mark(simulated: bool) -> Any:
    def on_page(canvas: Any, pdf: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(1.5 * cm, 1 * cm, f"NEXUS_ENA weekly report - page {pdf.page}")
        if simulated:
            canvas.setFillColor(colors.red)
            canvas.setFont("Helvetica-Bold", 12)
            canvas.drawRightString(A4[0] - 1.5 * cm, A4[1] - 1.2 * cm, "SIMULATED DATA")
        canvas.restoreState()

    return on_page


def render_pdf(doc: AnalysisDocument, compress: bool = True) -> tuple[bytes, int]:
    """(PDF bytes, page count). Invariant mode fixes the ids and dates reportlab would vary."""
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(
        buf,
        pagesize=A4,
        invariant=1,
        pageCompression=1 if compress else 0,
        title=f"NEXUS_ENA weekly report {doc.week}",
        author="NEXUS_ENA",
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.8 * cm,
        bottomMargin=1.5 * cm,
    )
    story = cover(doc) + kpi_tables(doc) + chart_pages(doc) + appendix(doc)
    mark = _mark(doc.simulated)
    pdf.build(story, onFirstPage=mark, onLaterPages=mark)
    data = buf.getvalue()
    return data, len(re.findall(rb"/Type /Page\b", data))
