// The API client: bearer token, refresh a minute before expiry, one retry after a 401, and up to
// three retries of a 429 (the per-user limit, API Gateway's throttling or Lambda's concurrency
// quota), after Retry-After when given, else after a short growing pause with jitter.

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

export const THROTTLE_RETRIES = 3;

/** Milliseconds to wait before retry `attempt` (0-based) of a 429: Retry-After, capped at 10 s. */
export function throttleDelay(retryAfter: string | null, attempt: number, random: () => number = Math.random): number {
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 10) * 1000;
  return 250 * 2 ** attempt * (0.5 + random());
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createClient(
  config: AppConfig,
  getSession: () => Session | null,
  setSession: (s: Session | null) => void,
  wait: (ms: number) => Promise<void> = pause,
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
    let response: Response;
    for (let attempt = 0; ; attempt++) {
      response = await fetch(`${config.apiBase}${path}`, {
        method,
        headers: { Authorization: `Bearer ${session.idToken}`, Accept: "application/json" },
      });
      if (response.status !== 429 || method !== "GET" || attempt >= THROTTLE_RETRIES) break;
      await wait(throttleDelay(response.headers.get("Retry-After"), attempt));
    }
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
