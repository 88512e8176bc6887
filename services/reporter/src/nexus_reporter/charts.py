"""The report's charts as PNG bytes (matplotlib, Agg backend, no timestamps in the metadata)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from nexus_contracts.analysis import AnalysisDocument

SIZE = (7.0, 3.2)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _arr(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def hourly_profile(doc: AnalysisDocument, area: str) -> bytes:
    prof = doc.hourly_profiles.get(area, {})
    fig, ax = plt.subplots(figsize=SIZE)
    for key, style in (("this_week", "-"), ("previous_week", "--")):
        if key in prof:
            ax.plot(range(24), _arr(prof[key]), style, marker="o", ms=3, label=key.replace("_", " "))
    ax.set(title=f"{area}: mean price by local hour", xlabel="local hour", ylabel="EUR/MWh")
    ax.legend()
    ax.grid(alpha=0.3)
    return _png(fig)


def price_vs_temperature(doc: AnalysisDocument, area: str) -> bytes:
    d = doc.daily.get(area, {})
    x, y = _arr(d.get("temperature", ())), _arr(d.get("base", ()))
    ok = ~(np.isnan(x) | np.isnan(y))
    fig, ax = plt.subplots(figsize=SIZE)
    ax.scatter(x[ok], y[ok], s=12, label="daily base, trailing 12 weeks")
    if ok.sum() >= 3 and np.std(x[ok]) > 0:
        slope, intercept = np.polyfit(x[ok], y[ok], 1)
        xs = np.linspace(x[ok].min(), x[ok].max(), 20)
        ax.plot(xs, intercept + slope * xs, "r-", label=f"fit: {slope:+.2f} EUR/MWh per degC")
    ax.set(
        title=f"{area}: daily base price vs temperature",
        xlabel="daily mean temperature (degC)",
        ylabel="EUR/MWh",
    )
    ax.legend()
    ax.grid(alpha=0.3)
    return _png(fig)


def correlation_heatmap(doc: AnalysisDocument) -> bytes | None:
    mat = next((m for m in doc.correlations if m.method == "pearson" and m.window == "trailing_12w"), None)
    if mat is None or not mat.series:
        return None
    values = np.array([[np.nan if v is None else v for v in row] for row in mat.values])
    n = len(mat.series)
    fig, ax = plt.subplots(figsize=(7.0, 6.0))
    im = ax.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(n), mat.series, rotation=90, fontsize=6)
    ax.set_yticks(range(n), mat.series, fontsize=6)
    fig.colorbar(im, ax=ax, shrink=0.8, label="Pearson r (hourly grid, trailing 12 weeks)")
    return _png(fig)


def spreads_chart(doc: AnalysisDocument) -> bytes | None:
    rows = [s for s in doc.spreads if s.daily_clean_spark or s.daily_clean_dark]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=SIZE)
    for s in rows:
        if s.daily_clean_spark:
            ax.plot(_arr(s.daily_clean_spark), marker="o", ms=3, label=f"{s.area} clean spark")
        if s.daily_clean_dark:
            ax.plot(_arr(s.daily_clean_dark), "--", marker="s", ms=3, label=f"{s.area} clean dark")
    ax.axhline(0, color="k", lw=0.6)
    ax.set(title="Daily clean spreads (base)", xlabel="day of the week (Mon = 0)", ylabel="EUR/MWh")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return _png(fig)


def outlook_fan(doc: AnalysisDocument, area: str) -> bytes | None:
    o = next((o for o in doc.outlooks if o.area == area), None)
    if o is None:
        return None
    h = np.arange(len(o.mean))
    fig, ax = plt.subplots(figsize=SIZE)
    ax.fill_between(h, o.lower_95, o.upper_95, alpha=0.2, label="95 % interval")
    ax.fill_between(h, o.lower_80, o.upper_80, alpha=0.35, label="80 % interval")
    ax.plot(h, o.mean, lw=1.2, label="forecast")
    ax.set(title=f"{area}: next-week hourly outlook", xlabel="hours after the week's end", ylabel="EUR/MWh")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return _png(fig)
