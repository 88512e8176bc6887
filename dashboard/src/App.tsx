import { useEffect, useMemo, useState } from "react";

import { createClient } from "./api";
import { type AppConfig, type Session, clearSession, groupsOf, loadSession } from "./auth";
import { ApiContext } from "./hooks";
import { Alerts } from "./pages/Alerts";
import { Correlations } from "./pages/Correlations";
import { DataHealth } from "./pages/DataHealth";
import { Drivers } from "./pages/Drivers";
import { Login } from "./pages/Login";
import { Markets } from "./pages/Markets";
import { Overview } from "./pages/Overview";
import { Reports } from "./pages/Reports";

const PAGES = {
  overview: ["Overview", Overview],
  markets: ["Markets", Markets],
  drivers: ["Drivers", Drivers],
  correlations: ["Correlations", Correlations],
  reports: ["Reports", Reports],
  health: ["Data health", DataHealth],
  alerts: ["Alerts", Alerts],
} as const;
type PageKey = keyof typeof PAGES;

function pageFromHash(): PageKey {
  const key = window.location.hash.replace(/^#\/?/, "");
  return key in PAGES ? (key as PageKey) : "overview";
}

export function App({ config }: { config: AppConfig }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [page, setPage] = useState<PageKey>(pageFromHash);
  const [menuOpen, setMenuOpen] = useState(false);

  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const client = useMemo(() => {
    let current = session;
    return createClient(
      config,
      () => current,
      (next) => {
        current = next;
        if (!next) {
          clearSession();
          setSession(null);
        }
      },
    );
  }, [config, session]);

  if (!session) return <Login config={config} onLogin={setSession} />;
  const [, Page] = PAGES[page];
  return (
    <ApiContext.Provider value={client}>
      <header className="top">
        <h1>NEXUS_ENA</h1>
        <button type="button" className="menu" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <nav className={menuOpen ? "open" : ""} aria-label="Pages">
          {(Object.keys(PAGES) as PageKey[]).map((key) => (
            <a key={key} href={`#/${key}`} aria-current={key === page ? "page" : undefined} onClick={() => setMenuOpen(false)}>
              {PAGES[key][0]}
            </a>
          ))}
        </nav>
        <div className="user">
          <span title={groupsOf(session).join(", ")}>{session.username}</span>
          <button
            type="button"
            onClick={() => {
              clearSession();
              setSession(null);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main>
        <Page />
      </main>
    </ApiContext.Provider>
  );
}
