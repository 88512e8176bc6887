import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { Heatmap, cellColor } from "../src/components/Heatmap";
import { StateView } from "../src/components/StateView";

describe("StateView", () => {
  it("shows loading, error and empty states", () => {
    // Given each state / Then the matching message is rendered, never the content
    const { rerender } = render(<StateView value={{ state: "loading" }}>{() => "content"}</StateView>);
    expect(screen.getByRole("status").textContent).toContain("Loading");
    rerender(<StateView value={{ state: "error", message: "boom" }}>{() => "content"}</StateView>);
    expect(screen.getByRole("alert").textContent).toBe("boom");
    rerender(
      <StateView value={{ state: "ready", data: [] as number[] }} isEmpty={(d) => d.length === 0} empty="none yet">
        {() => "content"}
      </StateView>,
    );
    expect(screen.getByText("none yet")).toBeTruthy();
    expect(screen.queryByText("content")).toBeNull();
  });
});

describe("Heatmap", () => {
  it("renders one coloured cell per pair with two decimals", () => {
    // Given a 2x2 matrix with a missing value
    render(
      <Heatmap
        matrix={{ method: "pearson", window: "week", series: ["sim:DE_LU:day_ahead_price", "sim:DE_LU:temperature"], values: [[1, -0.5], [-0.5, null]], observations: 168 }}
      />,
    );
    // Then values are printed, the missing one as a dash, and colours follow the sign
    expect(screen.getByTestId("cell-0-1").textContent).toBe("-0.50");
    expect(screen.getByTestId("cell-1-1").textContent).toBe("–");
    expect(cellColor(1)).toBe("rgb(255, 0, 0)");
    expect(cellColor(-1)).toBe("rgb(0, 0, 255)");
    expect(screen.getAllByRole("row")).toHaveLength(3);
  });
});
