import { Heatmap } from "../components/Heatmap";
import { StateView } from "../components/StateView";
import { useApi } from "../hooks";
import type { CorrelationMatrix } from "../types";

export function Correlations() {
  const view = useApi<{ week: string; matrices: CorrelationMatrix[] }>("/correlations");
  return (
    <div className="page">
      <h2>Correlations</h2>
      <StateView value={view} isEmpty={(v) => v.matrices.length === 0} empty="No correlations computed yet.">
        {(v) =>
          v.matrices.map((m) => (
            <section className="card" key={`${m.method}-${m.window}`}>
              <h3>
                {m.method}, {m.window === "week" ? `week ${v.week}` : "trailing 12 weeks"} ({m.observations} observations)
              </h3>
              <Heatmap matrix={m} />
            </section>
          ))
        }
      </StateView>
    </div>
  );
}
