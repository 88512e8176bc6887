import { useState } from "react";

import { StateView } from "../components/StateView";
import { useApi, useClient } from "../hooks";
import type { ReportInfo } from "../types";

export function Reports() {
  const reports = useApi<ReportInfo[]>("/reports");
  const client = useClient();
  const [error, setError] = useState<string | null>(null);
  const open = async (week: string) => {
    setError(null);
    try {
      // The API presigns a short-lived URL; the browser downloads straight from storage.
      const link = await client.get<{ url: string }>(`/reports/${week}/pdf?redirect=false`);
      window.location.assign(link.url);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div className="page">
      <h2>Reports</h2>
      {error && (
        <div className="state error" role="alert">
          {error}
        </div>
      )}
      <StateView value={reports} isEmpty={(r) => r.length === 0} empty="No report has been published yet.">
        {(list) => (
          <ul className="plain reports">
            {list.map((r) => (
              <li key={r.week}>
                <span>
                  Week {r.week} · {(r.size_bytes / 1024).toFixed(1)} KB · {r.last_modified.slice(0, 10)}
                </span>
                <button type="button" data-testid={`pdf-${r.week}`} onClick={() => void open(r.week)}>
                  Download PDF
                </button>
              </li>
            ))}
          </ul>
        )}
      </StateView>
    </div>
  );
}
