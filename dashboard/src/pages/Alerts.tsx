import { StateView } from "../components/StateView";
import { useApi } from "../hooks";
import type { Alert } from "../types";

export function Alerts() {
  const alerts = useApi<Alert[]>("/alerts?days=30");
  return (
    <div className="page">
      <h2>Alerts (30 days)</h2>
      <StateView value={alerts} isEmpty={(a) => a.length === 0} empty="No alerts in the last 30 days.">
        {(list) => (
          <ul className="plain alerts">
            {list.map((a) => (
              <li key={`${a.day}-${a.dedupe_key}`} className={`sev-${a.severity}`}>
                <strong>{a.severity}</strong> · {a.kind.replace(/_/g, " ")} · {a.day}
                <div>{a.title}</div>
                {a.detail && <small>{a.detail}</small>}
              </li>
            ))}
          </ul>
        )}
      </StateView>
    </div>
  );
}
