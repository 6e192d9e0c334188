/**
 * Redirect URIs (OAuth 2.1 §2.3.1, §7.5.1): registered as https, or http on a loopback address for
 * native apps; no fragment; and an authorization request's URI must equal a registered one exactly.
 */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export const isLoopbackHostname = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname.toLowerCase());

/** null when fine, else what is wrong with it. */
export function redirectUriProblem(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `${uri} is not an absolute URL`;
  }
  if (url.hash !== "" || uri.includes("#")) return `${uri} has a fragment`;
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && isLoopbackHostname(url.hostname)) return null;
  // Private-use schemes of native apps (com.example.app:/callback): allowed, they name one app.
  if (/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) return null;
  return `${uri} must use https (or http on localhost / 127.0.0.1 / [::1])`;
}

/** Exact string comparison: no prefix, no normalisation, no port wildcard. */
export const redirectUriRegistered = (registered: readonly string[], presented: string): boolean => registered.includes(presented);
