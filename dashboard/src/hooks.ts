import { createContext, useContext, useEffect, useState } from "react";

import type { ApiClient } from "./api";

export const ApiContext = createContext<ApiClient | null>(null);

export function useClient(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error("ApiContext missing");
  return client;
}

export type Loadable<T> =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; data: T };

/** Loads `path` (null: nothing to load yet) and reloads when it changes. */
export function useApi<T>(path: string | null): Loadable<T> {
  const client = useClient();
  const [value, setValue] = useState<Loadable<T>>({ state: "loading" });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setValue({ state: "loading" });
    client
      .get<T>(path)
      .then((data) => live && setValue({ state: "ready", data }))
      .catch((err: unknown) => live && setValue({ state: "error", message: err instanceof Error ? err.message : String(err) }));
    return () => {
      live = false;
    };
  }, [client, path]);
  return value;
}
