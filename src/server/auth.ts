/**
 * Who may do what on the dashboard. Bound to a loopback address, anyone on this machine may read and the token is
 * needed to act (cancel, resume); bound to any other address, every request needs the token. The token travels in a
 * header (X-Enough-Token or Authorization: Bearer) or, for a browser, in a cookie set when `?token=` is opened once;
 * actions accept only the header, so another site cannot make a browser act with the cookie (CSRF).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const TOKEN_COOKIE = "enough_token";
export const TOKEN_HEADER = "x-enough-token";

/** 24 random bytes, URL-safe: printed once at start when not given. */
export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Whether `host` (a bind address or a Host header's name) is this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The host name of a Host header ("127.0.0.1:8080", "[::1]:80"), without its port. */
export function hostName(header: string): string {
  const m = /^\[([^\]]*)\]/.exec(header);
  return m ? m[1]! : header.split(":")[0]!;
}

/** Constant-time comparison (hashes first, so lengths do not leak either). */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries in a header (actions) and, for reading, also in its cookie. */
export function requestToken(headers: Headers, o: { cookie: boolean }): string | null {
  const h = headers.get(TOKEN_HEADER);
  if (h) return h;
  const auth = headers.get("authorization");
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, "");
  if (!o.cookie) return null;
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join("="));
  }
  return null;
}
