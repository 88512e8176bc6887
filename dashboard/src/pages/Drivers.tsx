import type { ChartConfiguration } from "chart.js";
import { useMemo, useState } from "react";

import { ChartCanvas } from "../components/ChartCanvas";
import { StateView } from "../components/StateView";
import { num } from "../format";
import { useApi } from "../hooks";
import type { AnalysisInfo, MarketSummary } from "../types";

function pairs(x: (number | null)[] | undefined, y: (number | null)[] | undefined): { x: number; y: number }[] {
  if (!x || !y) return [];
  return x.flatMap((xv, i) => {
    const yv = y[i];
    return xv === null || yv === null || yv === undefined ? [] : [{ x: xv, y: yv }];
  });
}

/** The fitted line y = mean(y) + slope (x - mean(x)) across the observed x range. */
export function fittedLine(points: { x: number; y: number }[], slope: number): { x: number; y: number }[] {
  if (points.length === 0) return [];
  const mx = points.reduce((a, p) => a + p.x, 0) / points.length;
  const my = points.reduce((a, p) => a + p.y, 0) / points.length;
  const xs = points.map((p) => p.x);
  return [Math.min(...xs), Math.max(...xs)].map((x) => ({ x, y: my + slope * (x - mx) }));
}

function Driver({ title, unit, points, slope }: { title: string; unit: string; points: { x: number; y: number }[]; slope: number | null | undefined }) {
  const config = useMemo<ChartConfiguration>(
    () => ({
      type: "scatter",
      data: {
        datasets: [
          { label: "daily base price", data: points, backgroundColor: "#1f77b4" },
          ...(slope === null || slope === undefined
            ? []
            : [{ type: "line" as const, label: "fitted", data: fittedLine(points, slope), borderColor: "#d62728", pointRadius: 0 }]),
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { type: "linear", title: { display: true, text: unit } }, y: { title: { display: true, text: "EUR/MWh" } } },
      },
    }),
    [points, slope, unit],
  );
  return (
    <section className="card">
      <h3>Price vs {title}</h3>
      {points.length === 0 ? (
        <div className="state empty">No {title} data for this week.</div>
      ) : (
        <ChartCanvas config={config} label={`Daily base price against ${title}`} />
      )}
      <p data-testid={`sensitivity-${title}`}>
        Sensitivity: {num(slope)} EUR/MWh per {unit}
      </p>
    </section>
  );
}

export function Drivers() {
  const analyses = useApi<AnalysisInfo[]>("/analyses");
  const [area, setArea] = useState<string | null>(null);
  const latest = analyses.state === "ready" ? analyses.data[0] : undefined;
  const chosen = area ?? latest?.areas[0] ?? null;
  const summary = useApi<MarketSummary>(latest && chosen ? `/markets/${chosen}/summary?week=${latest.week}` : null);
  return (
    <div className="page">
      <h2>Drivers</h2>
      <StateView value={analyses} isEmpty={(a) => a.length === 0} empty="No weekly analysis yet.">
        {(list) => (
          <>
            <label>
              Market{" "}
              <select value={chosen ?? ""} onChange={(e) => setArea(e.target.value)}>
                {list[0]!.areas.map((a) => (
                  <option key={a}>{a}</option>
                ))}
              </select>
            </label>
            <StateView value={summary}>
              {(s) => {
                // The analysis fits wind in a multiple regression; its coefficient is the sensitivity.
                const wind = s.regression?.coefficients?.find((c) => c.name === "wind")?.estimate;
                return (
                  <div className="grid two">
                    <Driver title="temperature" unit="°C" points={pairs(s.daily.temperature, s.daily.base)} slope={s.regression?.temperature_sensitivity_eur_mwh_per_degc} />
                    <Driver title="wind" unit="m/s" points={pairs(s.daily.wind, s.daily.base)} slope={wind} />
                  </div>
                );
              }}
            </StateView>
          </>
        )}
      </StateView>
    </div>
  );
}
