import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { createClient } from "../src/api";
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
});
