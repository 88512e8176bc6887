import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { THROTTLE_RETRIES, createClient, throttleDelay } from "../src/api";
import type { Session } from "../src/auth";
import { Login } from "../src/pages/Login";

const CONFIG = { apiBase: "/api", cognitoUrl: "/cognito/", clientId: "client-1" };

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe("Login", () => {
  it("posts USER_PASSWORD_AUTH and shows the provider's error", async () => {
    // Given a provider that refuses the password
    const fetchMock = vi.fn().mockResolvedValue(reply(400, { __type: "NotAuthorizedException", message: "Incorrect username or password." }));
    vi.stubGlobal("fetch", fetchMock);
    render(<Login config={CONFIG} onLogin={() => undefined} />);
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "a@b.c" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "wrong" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    // Then the error is shown and the request used the cognito-idp JSON API
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("Incorrect username or password."));
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("/cognito/");
    expect((init.headers as Record<string, string>)["X-Amz-Target"]).toBe("AWSCognitoIdentityProviderService.InitiateAuth");
    expect(JSON.parse(init.body as string).AuthFlow).toBe("USER_PASSWORD_AUTH");
  });

  it("stores the session on success", async () => {
    const fetchMock = vi.fn().mockResolvedValue(reply(200, { AuthenticationResult: { IdToken: "x.e30.y", RefreshToken: "r", ExpiresIn: 3600 } }));
    vi.stubGlobal("fetch", fetchMock);
    const onLogin = vi.fn();
    render(<Login config={CONFIG} onLogin={onLogin} />);
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "a@b.c" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "right" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(onLogin).toHaveBeenCalledOnce());
    expect((onLogin.mock.calls[0]![0] as Session).refreshToken).toBe("r");
    expect(sessionStorage.getItem("nexus.session")).toContain("x.e30.y");
  });
});

describe("API client", () => {
  it("refreshes the token once after a 401 and retries", async () => {
    // Given an expired-looking session and an API that refuses the old token
    let session: Session | null = { idToken: "old", refreshToken: "r", expiresAt: Date.now() + 3_600_000, username: "u" };
    const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
      if (url === "/cognito/") return reply(200, { AuthenticationResult: { IdToken: "new", ExpiresIn: 3600 } });
      const auth = (init?.headers as Record<string, string>).Authorization;
      return auth === "Bearer new" ? reply(200, { ok: true }) : reply(401, { title: "Unauthorized" });
    });
    vi.stubGlobal("fetch", fetchMock);
    const client = createClient(CONFIG, () => session, (s) => (session = s));
    // When a GET is made / Then it succeeds with the refreshed token, keeping the refresh token
    await expect(client.get("/series")).resolves.toEqual({ ok: true });
    expect(session?.idToken).toBe("new");
    expect(session?.refreshToken).toBe("r");
  });

  it("turns a problem body into an error with its detail", async () => {
    const session: Session = { idToken: "t", refreshToken: "r", expiresAt: Date.now() + 3_600_000, username: "u" };
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(reply(400, { title: "Bad request", detail: "too many points" })));
    const client = createClient(CONFIG, () => session, () => undefined);
    await expect(client.get("/series/x/observations")).rejects.toThrow("too many points");
  });

  it("retries a throttled GET after Retry-After, then gives up with the 429", async () => {
    const session: Session = { idToken: "t", refreshToken: "r", expiresAt: Date.now() + 3_600_000, username: "u" };
    // Given an API that throttles twice, with and without Retry-After, then answers
    const answers = [
      new Response(JSON.stringify({ title: "Too Many Requests" }), { status: 429, headers: { "Retry-After": "2" } }),
      reply(429, { message: "Too Many Requests" }),
      reply(200, { ok: true }),
    ];
    vi.stubGlobal("fetch", vi.fn(async () => answers.shift()!));
    const waits: number[] = [];
    const client = createClient(CONFIG, () => session, () => undefined, async (ms) => void waits.push(ms));
    // When a GET is made / Then it succeeds, having waited 2 s, then a jittered 250-750 ms
    await expect(client.get("/series")).resolves.toEqual({ ok: true });
    expect(waits[0]).toBe(2000);
    expect(waits[1]).toBeGreaterThanOrEqual(250);
    expect(waits[1]).toBeLessThan(750);
    // And an API that keeps throttling gets THROTTLE_RETRIES retries, then the error is shown
    const always = vi.fn(async () => reply(429, { title: "Too Many Requests", detail: "more than 100 requests per minute" }));
    vi.stubGlobal("fetch", always);
    await expect(client.get("/series")).rejects.toThrow("more than 100 requests per minute");
    expect(always).toHaveBeenCalledTimes(THROTTLE_RETRIES + 1);
  });

  it("never retries a throttled POST (a rerun must not start twice)", async () => {
    const session: Session = { idToken: "t", refreshToken: "r", expiresAt: Date.now() + 3_600_000, username: "u" };
    const fetchMock = vi.fn(async () => reply(429, { title: "Too Many Requests" }));
    vi.stubGlobal("fetch", fetchMock);
    const client = createClient(CONFIG, () => session, () => undefined, async () => undefined);
    await expect(client.post("/analyses/2024-W03/rerun")).rejects.toThrow("Too Many Requests");
    expect(fetchMock).toHaveBeenCalledOnce();
  });

  it("caps Retry-After at 10 s and grows the pause without it", () => {
    expect(throttleDelay("120", 0)).toBe(10_000);
    expect(throttleDelay(null, 0, () => 0.5)).toBe(250);
    expect(throttleDelay(null, 2, () => 0.5)).toBe(1000);
  });
});
