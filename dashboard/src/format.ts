export function num(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || Number.isNaN(value) ? "–" : value.toFixed(digits);
}

export function ago(hours: number | null | undefined): string {
  if (hours === null || hours === undefined) return "never";
  if (hours < 1) return `${Math.round(hours * 60)} min ago`;
  if (hours < 48) return `${hours.toFixed(1)} h ago`;
  return `${(hours / 24).toFixed(1)} days ago`;
}

/** CSV of aligned series: one row per timestamp, one column per series (empty where missing). */
export function toCsv(columns: { name: string; points: { t: string; v: number }[] }[]): string {
  const times = [...new Set(columns.flatMap((c) => c.points.map((p) => p.t)))].sort();
  const lookup = columns.map((c) => new Map(c.points.map((p) => [p.t, p.v])));
  const header = ["interval_start_utc", ...columns.map((c) => c.name)].join(",");
  const rows = times.map((t) => [t, ...lookup.map((m) => (m.has(t) ? String(m.get(t)) : ""))].join(","));
  return [header, ...rows].join("\n") + "\n";
}

export function download(filename: string, text: string, type = "text/csv"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
