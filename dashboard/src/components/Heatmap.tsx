import type { CorrelationMatrix } from "../types";

/** Blue for negative, red for positive correlation; white at zero. */
export function cellColor(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "#eee";
  const v = Math.max(-1, Math.min(1, value));
  const strength = Math.round(255 * (1 - Math.abs(v)));
  return v >= 0 ? `rgb(255, ${strength}, ${strength})` : `rgb(${strength}, ${strength}, 255)`;
}

function short(series: string): string {
  const parts = series.split(":");
  return parts.length === 3 ? `${parts[1]} ${parts[2]?.replace(/_/g, " ")}` : series;
}

export function Heatmap({ matrix }: { matrix: CorrelationMatrix }) {
  return (
    <div className="heatmap-wrap">
      <table className="heatmap" aria-label={`${matrix.method} correlation, ${matrix.window}`}>
        <thead>
          <tr>
            <th />
            {matrix.series.map((s) => (
              <th key={s} scope="col" title={s}>
                {short(s)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.series.map((row, i) => (
            <tr key={row}>
              <th scope="row" title={row}>
                {short(row)}
              </th>
              {matrix.series.map((col, j) => {
                const value = matrix.values[i]?.[j] ?? null;
                return (
                  <td key={col} style={{ background: cellColor(value) }} data-testid={`cell-${i}-${j}`}>
                    {value === null ? "–" : value.toFixed(2)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
