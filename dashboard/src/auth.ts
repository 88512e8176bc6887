// Cognito USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH over the cognito-idp JSON API.
// Locally the front proxies it at /cognito/; in AWS config.json points at cognito-idp.<region>.

export interface AppConfig {
  apiBase: string;
  cognitoUrl: string;
  clientId: string;
}

export interface Session {
  idToken: string;
  refreshToken: string;
  expiresAt: number;
  username: string;
}

const KEY = "nexus.session";

export class AuthError extends Error {}

async function cognito(config: AppConfig, target: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(config.cognitoUrl, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}`,
    },
    body: JSON.stringify(body),
  });
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const message = typeof data.message === "string" ? data.message : `sign-in failed (${response.status})`;
    throw new AuthError(message);
  }
  return data;
}

function toSession(data: Record<string, unknown>, username: string, refreshToken?: string): Session {
  const result = data.AuthenticationResult as Record<string, unknown> | undefined;
  if (!result || typeof result.IdToken !== "string") {
    throw new AuthError("the identity provider asked for another step (for example a new password)");
  }
  return {
    idToken: result.IdToken,
    refreshToken: (result.RefreshToken as string | undefined) ?? refreshToken ?? "",
    expiresAt: Date.now() + Number(result.ExpiresIn ?? 3600) * 1000,
    username,
  };
}

export async function login(config: AppConfig, username: string, password: string): Promise<Session> {
  const data = await cognito(config, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: config.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  const session = toSession(data, username);
  saveSession(session);
  return session;
}

export async function refresh(config: AppConfig, session: Session): Promise<Session> {
  const data = await cognito(config, "InitiateAuth", {
    AuthFlow: "REFRESH_TOKEN_AUTH",
    ClientId: config.clientId,
    AuthParameters: { REFRESH_TOKEN: session.refreshToken },
  });
  const next = toSession(data, session.username, session.refreshToken);
  saveSession(next);
  return next;
}

export function loadSession(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as Session) : null;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

export function groupsOf(session: Session): string[] {
  const payload = session.idToken.split(".")[1] ?? "";
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const groups = claims["cognito:groups"];
    return Array.isArray(groups) ? groups.map(String) : [];
  } catch {
    return [];
  }
}
