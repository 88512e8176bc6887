import { describe, expect, it } from "vitest";

import { ago, num, toCsv } from "../src/format";
import { fittedLine } from "../src/pages/Drivers";

describe("toCsv", () => {
  it("aligns several series on the union of their timestamps", () => {
    // Given two series with one shared and one own timestamp each
    const csv = toCsv([
      { name: "a", points: [{ t: "2024-01-01T00:00:00Z", v: 1 }, { t: "2024-01-01T01:00:00Z", v: 2 }] },
      { name: "b", points: [{ t: "2024-01-01T01:00:00Z", v: 3 }, { t: "2024-01-01T02:00:00Z", v: 4 }] },
    ]);
    // Then there is one row per timestamp with blanks where a series has no value
    expect(csv.trim().split("\n")).toEqual([
      "interval_start_utc,a,b",
      "2024-01-01T00:00:00Z,1,",
      "2024-01-01T01:00:00Z,2,3",
      "2024-01-01T02:00:00Z,,4",
    ]);
  });
});

describe("formatting", () => {
  it("shows a dash for missing numbers and relative ages", () => {
    expect(num(null)).toBe("–");
    expect(num(12.345)).toBe("12.35");
    expect(ago(0.5)).toBe("30 min ago");
    expect(ago(72)).toBe("3.0 days ago");
    expect(ago(null)).toBe("never");
  });

  it("draws the fitted line through the means with the given slope", () => {
    const line = fittedLine([{ x: 0, y: 10 }, { x: 10, y: 30 }], 2);
    expect(line).toEqual([{ x: 0, y: 10 }, { x: 10, y: 30 }]);
  });
});
