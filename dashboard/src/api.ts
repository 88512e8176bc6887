// The API client: bearer token, refresh a minute before expiry, one retry after a 401.

import { AppConfig, Session, refresh } from "./auth";

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string): Promise<T>;
}

export function createClient(
  config: AppConfig,
  getSession: () => Session | null,
  setSession: (s: Session | null) => void,
): ApiClient {
  async function current(): Promise<Session> {
    const session = getSession();
    if (!session) throw new ApiError(401, "signed out");
    if (session.expiresAt - Date.now() > 60_000) return session;
    const next = await refresh(config, session);
    setSession(next);
    return next;
  }

  async function send<T>(method: string, path: string, retried = false): Promise<T> {
    const session = await current();
    const response = await fetch(`${config.apiBase}${path}`, {
      method,
      headers: { Authorization: `Bearer ${session.idToken}`, Accept: "application/json" },
    });
    if (response.status === 401 && !retried) {
      try {
        setSession(await refresh(config, session));
      } catch {
        setSession(null);
        throw new ApiError(401, "your session has ended; sign in again");
      }
      return send<T>(method, path, true);
    }
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
      throw new ApiError(response.status, problem.detail ?? problem.title ?? `request failed (${response.status})`);
    }
    return (await response.json()) as T;
  }

  return {
    get: <T,>(path: string) => send<T>("GET", path),
    post: <T,>(path: string) => send<T>("POST", path),
  };
}
