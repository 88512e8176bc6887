import {
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Filler,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  ScatterController,
  Tooltip,
} from "chart.js";
import { useEffect, useRef } from "react";

Chart.register(
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  Legend,
  Filler,
);

interface Props {
  config: ChartConfiguration;
  label: string;
  onSelect?: (fromIndex: number, toIndex: number) => void;
}

/** One Chart.js canvas; dragging across a category axis reports the selected index range. */
export function ChartCanvas({ config, label, onSelect }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const dragStart = useRef<number | null>(null);

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext("2d");
    if (!element || !context) return;
    chart.current = new Chart(context, config);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [config]);

  const indexAt = (clientX: number): number | null => {
    const current = chart.current;
    const element = canvas.current;
    if (!current || !element) return null;
    const x = clientX - element.getBoundingClientRect().left;
    const value = current.scales.x?.getValueForPixel(x);
    return value === undefined ? null : Math.round(value);
  };

  return (
    <div className="chart-box">
      <canvas
        ref={canvas}
        role="img"
        aria-label={label}
        onPointerDown={(e) => {
          dragStart.current = indexAt(e.clientX);
        }}
        onPointerUp={(e) => {
          const start = dragStart.current;
          const end = indexAt(e.clientX);
          dragStart.current = null;
          if (onSelect && start !== null && end !== null && Math.abs(end - start) >= 2) {
            onSelect(Math.min(start, end), Math.max(start, end));
          }
        }}
      />
    </div>
  );
}
