import { SimBanner } from "../components/SimBanner";
import { StateView } from "../components/StateView";
import { ago, num } from "../format";
import { useApi } from "../hooks";
import type { Alert, AnalysisDocument, AnalysisInfo, MarketSummary, SourcesStatus } from "../types";

function MarketCard({ area, week }: { area: string; week: string }) {
  const summary = useApi<MarketSummary>(`/markets/${encodeURIComponent(area)}/summary?week=${week}`);
  return (
    <section className="card kpi" aria-label={`${area} KPIs`}>
      <h3>{area}</h3>
      <StateView value={summary}>
        {(s) => (
          <dl>
            {(["base", "peak", "min", "max"] as const).map((key) => (
              <div key={key}>
                <dt>{key}</dt>
                <dd data-testid={`kpi-${area}-${key}`}>{num(s.stats[key])}</dd>
              </div>
            ))}
            <div>
              <dt>negative h</dt>
              <dd>{s.stats.negative_hours ?? 0}</dd>
            </div>
          </dl>
        )}
      </StateView>
      <p className="unit">EUR/MWh, week {week}</p>
    </section>
  );
}

function Narrative({ week }: { week: string }) {
  const doc = useApi<AnalysisDocument>(`/analyses/${week}`);
  return (
    <section className="card">
      <h2>Narrative</h2>
      <StateView value={doc}>
        {(d) => (
          <>
            <p className="headline">{d.narrative.headline}</p>
            <p>{d.narrative.summary}</p>
            <p className="source" data-testid="narrative-source">
              Written by: {d.narrative.source === "llm" ? `language model (${d.narrative.model ?? "unknown"})` : "template"}
            </p>
          </>
        )}
      </StateView>
    </section>
  );
}

export function Overview() {
  const analyses = useApi<AnalysisInfo[]>("/analyses");
  const alerts = useApi<Alert[]>("/alerts?days=7");
  const status = useApi<SourcesStatus>("/sources/status");
  return (
    <div className="page">
      <StateView value={analyses} isEmpty={(a) => a.length === 0} empty="No weekly analysis yet: run the weekly cycle.">
        {(list) => {
          const latest = list[0]!;
          return (
            <>
              <SimBanner show={latest.simulated} />
              <h2>
                Week <span data-testid="overview-week">{latest.week}</span>
              </h2>
              <div className="grid">
                {latest.areas.map((area) => (
                  <MarketCard key={area} area={area} week={latest.week} />
                ))}
              </div>
              <Narrative week={latest.week} />
            </>
          );
        }}
      </StateView>
      <div className="grid two">
        <section className="card">
          <h2>Open alerts</h2>
          <StateView value={alerts} isEmpty={(a) => a.length === 0} empty="No alerts in the last 7 days.">
            {(list) => (
              <ul className="plain">
                {list.slice(0, 5).map((a) => (
                  <li key={`${a.day}-${a.dedupe_key}`} className={`sev-${a.severity}`}>
                    <strong>{a.severity}</strong> {a.title}
                  </li>
                ))}
              </ul>
            )}
          </StateView>
        </section>
        <section className="card">
          <h2>Data freshness</h2>
          <StateView value={status} isEmpty={(s) => s.sources.length === 0} empty="No source has reported yet.">
            {(s) => (
              <ul className="plain">
                {s.sources.map((src) => (
                  <li key={src.source}>
                    <strong>{src.source}</strong>: last success {ago(src.freshness_hours)}, completeness{" "}
                    {src.completeness_7d === null ? "–" : `${Math.round(src.completeness_7d * 100)} %`}
                  </li>
                ))}
              </ul>
            )}
          </StateView>
        </section>
      </div>
    </div>
  );
}
