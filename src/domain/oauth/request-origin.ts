/**
 * DNS-rebinding protection for the MCP endpoint and its OAuth pages (MCP transport spec: servers
 * MUST validate Origin): the Host must name this appliance — loopback, the public domain Caddy
 * serves, or a host the trader listed — and an Origin, when a browser sends one, must be one of ours.
 */
import { isLoopbackHostname } from "./redirect-uri.ts";

export interface AllowedOrigins {
  /** The public DNS name (CATALYST_DOMAIN), lower case; null when there is none. */
  domain: string | null;
  /** Extra hostnames (MCP_ALLOWED_HOSTS), lower case, any port. */
  hosts: readonly string[];
  /** Extra origins (MCP_ALLOWED_ORIGINS), exact: scheme://host[:port]. */
  origins: readonly string[];
}

const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** "host:port" / "[::1]:port" → the lower-case hostname; null when it is not a host header. */
export function hostnameOf(host: string): string | null {
  if (!HOST.test(host)) return null;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

export function hostAllowed(host: string | null, allowed: AllowedOrigins): boolean {
  const name = host === null ? null : hostnameOf(host);
  if (name === null) return false;
  return isLoopbackHostname(name) || name === allowed.domain || allowed.hosts.includes(name);
}

/** No Origin (a non-browser client) is fine; a present one must be loopback, https://domain or listed. */
export function originAllowed(origin: string | null, allowed: AllowedOrigins): boolean {
  if (origin === null) return true;
  if (allowed.origins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin) return false;
  if ((url.protocol === "http:" || url.protocol === "https:") && isLoopbackHostname(url.hostname)) return true;
  return url.protocol === "https:" && allowed.domain !== null && url.hostname === allowed.domain && url.port === "";
}

/** The URL base the client used: http on loopback, https through Caddy for every public name. */
export function publicBase(host: string): string {
  const name = hostnameOf(host);
  return `${name !== null && isLoopbackHostname(name) ? "http" : "https"}://${host.toLowerCase()}`;
}
