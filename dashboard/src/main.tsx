import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import type { AppConfig } from "./auth";
import "./styles.css";

async function start(): Promise<void> {
  const root = createRoot(document.getElementById("root")!);
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`config.json: ${response.status}`);
    const config = (await response.json()) as AppConfig;
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    );
  } catch (err) {
    root.render(<div className="state error">The dashboard could not load its configuration ({String(err)}).</div>);
  }
}

void start();
