import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { ApiClient } from "../src/api";
import { ApiContext } from "../src/hooks";
import { Overview } from "../src/pages/Overview";

const RESPONSES: Record<string, unknown> = {
  "/analyses": [{ week: "2024-W03", generated_at: null, simulated: true, headline: "h", narrative_source: "template", areas: ["DE_LU"] }],
  "/markets/DE_LU/summary?week=2024-W03": {
    area: "DE_LU",
    week: "2024-W03",
    simulated: true,
    stats: { area: "DE_LU", base: 81.234, peak: 95.5, min: -3, max: 210, negative_hours: 2 },
    regression: null,
    outlook_expected_base: null,
    daily: {},
    headline: "h",
    narrative_source: "template",
  },
  "/analyses/2024-W03": { week: "2024-W03", simulated: true, narrative: { headline: "Prices rose", summary: "s", source: "llm", model: "claude-x" } },
  "/alerts?days=7": [],
  "/sources/status": { generated_at: "2024-01-22T00:00:00Z", sources: [{ source: "sim", configured: true, last_success: null, freshness_hours: 2, consecutive_failures: 0, last_error: null, completeness_7d: 0.98, partitions_7d: 7, quarantined: 0 }], quarantine_queue_depth: null },
};

function client(responses: Record<string, unknown>): ApiClient {
  const get = <T,>(path: string) =>
    path in responses ? Promise.resolve(responses[path] as T) : Promise.reject(new Error(`unexpected ${path}`));
  return { get, post: get };
}

describe("Overview", () => {
  it("shows the latest week's KPIs, the narrative source, the sim banner and empty alerts", async () => {
    // Given the API answers for one simulated market
    render(
      <ApiContext.Provider value={client(RESPONSES)}>
        <Overview />
      </ApiContext.Provider>,
    );
    // Then the KPIs are the API's numbers, formatted
    await waitFor(() => expect(screen.getByTestId("kpi-DE_LU-base").textContent).toBe("81.23"));
    expect(screen.getByTestId("kpi-DE_LU-min").textContent).toBe("-3.00");
    expect(screen.getByTestId("sim-banner")).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("narrative-source").textContent).toContain("language model (claude-x)"));
    expect(screen.getByText("No alerts in the last 7 days.")).toBeTruthy();
    expect(screen.getByText(/98 %/)).toBeTruthy();
  });

  it("shows an error state when the API fails", async () => {
    // Given an API that fails every call / Then the page shows the error instead of numbers
    render(
      <ApiContext.Provider value={client({})}>
        <Overview />
      </ApiContext.Provider>,
    );
    await waitFor(() => expect(screen.getAllByRole("alert").length).toBeGreaterThan(0));
    expect(screen.queryByTestId("kpi-DE_LU-base")).toBeNull();
  });
});
