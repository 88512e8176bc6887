import { StateView } from "../components/StateView";
import { ago } from "../format";
import { useApi } from "../hooks";
import type { SourcesStatus } from "../types";

export function DataHealth() {
  const status = useApi<SourcesStatus>("/sources/status");
  return (
    <div className="page">
      <h2>Data health</h2>
      <StateView value={status} isEmpty={(s) => s.sources.length === 0} empty="No source has reported yet.">
        {(s) => (
          <>
            <div className="table-wrap">
              <table className="data">
                <thead>
                  <tr>
                    <th>Source</th>
                    <th>Last success</th>
                    <th>Failures</th>
                    <th>Completeness (7 d)</th>
                    <th>Quarantined</th>
                  </tr>
                </thead>
                <tbody>
                  {s.sources.map((src) => (
                    <tr key={src.source} className={src.consecutive_failures > 0 ? "bad" : ""}>
                      <td>{src.source}</td>
                      <td>{ago(src.freshness_hours)}</td>
                      <td title={src.last_error ?? ""}>{src.consecutive_failures}</td>
                      <td>{src.completeness_7d === null ? "–" : `${(src.completeness_7d * 100).toFixed(1)} %`}</td>
                      <td>{src.quarantined}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="hint">
              Quarantine queue: {s.quarantine_queue_depth === null ? "not configured" : `${s.quarantine_queue_depth} messages`}
            </p>
          </>
        )}
      </StateView>
    </div>
  );
}
