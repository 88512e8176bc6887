import type { ChartConfiguration } from "chart.js";
import { useEffect, useMemo, useState } from "react";

import { ChartCanvas } from "../components/ChartCanvas";
import { SimBanner } from "../components/SimBanner";
import { StateView } from "../components/StateView";
import { download, toCsv } from "../format";
import { type Loadable, useApi, useClient } from "../hooks";
import type { ObservationSeries, SeriesInfo } from "../types";

const RESOLUTIONS = [
  ["raw", "Raw"],
  ["PT1H", "Hourly"],
  ["P1D", "Daily"],
  ["P1W", "Weekly"],
] as const;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"];

function shiftDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function chartConfig(series: ObservationSeries[]): { config: ChartConfiguration; labels: string[] } {
  const labels = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort();
  const datasets = series.map((s, i) => {
    const byTime = new Map(s.points.map((p) => [p.t, p.v]));
    return {
      label: s.series_id.split(":")[1] ?? s.series_id,
      data: labels.map((t) => byTime.get(t) ?? null),
      borderColor: COLORS[i % COLORS.length],
      backgroundColor: COLORS[i % COLORS.length],
      pointRadius: labels.length > 200 ? 0 : 2,
      borderWidth: 1.5,
      spanGaps: false,
    };
  });
  const config: ChartConfiguration = {
    type: "line",
    data: { labels: labels.map((t) => t.slice(0, 16).replace("T", " ")), datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: { x: { ticks: { maxTicksLimit: 6, maxRotation: 0 } }, y: { title: { display: true, text: series[0]?.unit ?? "" } } },
    },
  };
  return { config, labels };
}

function PriceChart({ areas, catalog }: { areas: string[]; catalog: SeriesInfo[] }) {
  const client = useClient();
  const latest = catalog.map((s) => s.last_interval_utc.slice(0, 10)).sort().at(-1) ?? "";
  const earliest = catalog.map((s) => s.first_interval_utc.slice(0, 10)).sort()[0] ?? latest;
  const [range, setRange] = useState({ from: shiftDays(latest, -13), to: latest });
  const [history, setHistory] = useState<{ from: string; to: string }[]>([]);
  const [resolution, setResolution] = useState<string>("PT1H");
  const [data, setData] = useState<Loadable<ObservationSeries[]>>({ state: "loading" });
  const selected = useMemo(() => catalog.filter((s) => s.area !== null && areas.includes(s.area)), [catalog, areas]);

  useEffect(() => {
    let live = true;
    setData({ state: "loading" });
    const query = `from=${range.from}&to=${range.to}&resolution=${resolution}`;
    Promise.all(
      selected.map((s) => client.get<ObservationSeries>(`/series/${encodeURIComponent(s.series_id)}/observations?${query}`)),
    )
      .then((series) => live && setData({ state: "ready", data: series }))
      .catch((err: unknown) => live && setData({ state: "error", message: err instanceof Error ? err.message : String(err) }));
    return () => {
      live = false;
    };
  }, [client, selected, range, resolution]);

  const chart = useMemo(() => (data.state === "ready" ? chartConfig(data.data) : null), [data]);
  const zoomTo = (from: string, to: string) => {
    setHistory((h) => [...h, range]);
    setRange({ from: from < earliest ? earliest : from, to });
  };

  return (
    <section className="card">
      <div className="controls">
        <label>
          From <input type="date" value={range.from} min={earliest} max={range.to} onChange={(e) => setRange({ ...range, from: e.target.value })} />
        </label>
        <label>
          To <input type="date" value={range.to} min={range.from} max={latest} onChange={(e) => setRange({ ...range, to: e.target.value })} />
        </label>
        <label>
          Resolution{" "}
          <select data-testid="resolution" value={resolution} onChange={(e) => setResolution(e.target.value)}>
            {RESOLUTIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <div className="buttons">
          <button type="button" onClick={() => zoomTo(shiftDays(latest, -6), latest)}>7 d</button>
          <button type="button" onClick={() => zoomTo(shiftDays(latest, -29), latest)}>30 d</button>
          <button type="button" onClick={() => zoomTo(earliest, latest)}>All</button>
          <button
            type="button"
            disabled={history.length === 0}
            onClick={() => {
              const previous = history.at(-1);
              if (previous) setRange(previous);
              setHistory((h) => h.slice(0, -1));
            }}
          >
            Zoom out
          </button>
        </div>
      </div>
      <StateView value={data} isEmpty={(d) => d.every((s) => s.points.length === 0)} empty="No observations in this range.">
        {(series) => (
          <>
            <SimBanner show={series.some((s) => s.simulated)} />
            {chart && (
              <ChartCanvas
                config={chart.config}
                label={`Prices ${range.from} to ${range.to}`}
                onSelect={(a, b) => {
                  const from = chart.labels[a]?.slice(0, 10);
                  const to = chart.labels[b]?.slice(0, 10);
                  if (from && to) zoomTo(from, to);
                }}
              />
            )}
            <p className="hint">
              <span data-testid="points-count">{series[0]?.points.length ?? 0}</span> points per series at {resolution}; drag
              across the chart to zoom.
            </p>
            <button
              type="button"
              onClick={() =>
                download(
                  `nexus-prices-${range.from}-${range.to}-${resolution}.csv`,
                  toCsv(series.map((s) => ({ name: s.series_id, points: s.points }))),
                )
              }
            >
              Download CSV
            </button>
          </>
        )}
      </StateView>
    </section>
  );
}

export function Markets() {
  const catalog = useApi<SeriesInfo[]>("/series");
  const [areas, setAreas] = useState<string[] | null>(null);
  return (
    <div className="page">
      <h2>Markets</h2>
      <StateView value={catalog} isEmpty={(c) => !c.some((s) => s.dataset === "day_ahead_price")} empty="No price series in the lake yet.">
        {(list) => {
          const prices = list.filter((s) => s.dataset === "day_ahead_price" && s.area);
          const available = prices.map((s) => s.area as string);
          const chosen = areas ?? available.slice(0, 1);
          return (
            <>
              <fieldset className="areas">
                <legend>Markets</legend>
                {available.map((area) => (
                  <label key={area}>
                    <input
                      type="checkbox"
                      data-testid={`area-${area}`}
                      checked={chosen.includes(area)}
                      onChange={(e) =>
                        setAreas(e.target.checked ? [...chosen, area] : chosen.filter((a) => a !== area))
                      }
                    />{" "}
                    {area}
                  </label>
                ))}
              </fieldset>
              {chosen.length === 0 ? (
                <div className="state empty">Choose at least one market.</div>
              ) : (
                <PriceChart areas={chosen} catalog={prices} />
              )}
            </>
          );
        }}
      </StateView>
    </div>
  );
}
