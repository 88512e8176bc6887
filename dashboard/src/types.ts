// Shapes of the API responses the dashboard reads (see services/api/openapi.json).

export interface SeriesInfo {
  series_id: string;
  source: string;
  dataset: string;
  area: string | null;
  unit: string;
  resolution: string;
  first_interval_utc: string;
  last_interval_utc: string;
  simulated: boolean;
}

export interface ObservationPoint {
  t: string;
  v: number;
  n: number;
}

export interface ObservationSeries {
  series_id: string;
  unit: string;
  resolution: string;
  start: string;
  end: string;
  simulated: boolean;
  points: ObservationPoint[];
}

export interface WeeklyStats {
  area: string;
  base: number | null;
  peak: number | null;
  offpeak?: number | null;
  min: number | null;
  max: number | null;
  negative_hours?: number;
  spike_hours?: number;
  [key: string]: unknown;
}

export interface Regression {
  area: string;
  r_squared: number;
  temperature_sensitivity_eur_mwh_per_degc?: number | null;
  coefficients?: { name: string; estimate: number }[];
}

export interface MarketSummary {
  area: string;
  week: string;
  simulated: boolean;
  stats: WeeklyStats;
  regression: Regression | null;
  outlook_expected_base: number | null;
  daily: Record<string, (number | null)[]>;
  headline: string | null;
  narrative_source: string | null;
}

export interface AnalysisInfo {
  week: string;
  generated_at: string | null;
  simulated: boolean;
  headline: string | null;
  narrative_source: string | null;
  areas: string[];
}

export interface Narrative {
  headline: string;
  summary: string;
  outlook?: string;
  source: "llm" | "template";
  model?: string | null;
}

export interface AnalysisDocument {
  week: string;
  simulated: boolean;
  narrative: Narrative;
}

export interface CorrelationMatrix {
  method: string;
  window: string;
  series: string[];
  values: (number | null)[][];
  observations: number;
}

export interface ReportInfo {
  week: string;
  size_bytes: number;
  last_modified: string;
}

export interface SourceHealth {
  source: string;
  configured: boolean;
  last_success: string | null;
  freshness_hours: number | null;
  consecutive_failures: number;
  last_error: string | null;
  completeness_7d: number | null;
  partitions_7d: number;
  quarantined: number;
}

export interface SourcesStatus {
  generated_at: string;
  sources: SourceHealth[];
  quarantine_queue_depth: number | null;
}

export interface Alert {
  day: string;
  dedupe_key: string;
  severity: string;
  kind: string;
  title: string;
  detail: string;
  source: string | null;
  raised_at: string | null;
}
