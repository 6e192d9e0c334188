/** What the MCP tools and resources work with: the typed service client, the mode, and the confirm-token state. */
import { randomBytes } from "node:crypto";
import type { Mode } from "../../../config.ts";
import type { ServiceClient } from "../../../runtime/client.ts";

export interface McpDeps {
  client: ServiceClient;
  mode: Mode;
  tokenSecret: string;
  confirmTtlMs: number;
  now(): number;
  /** Records a confirm token's nonce as used; false if it already was. */
  spendToken(nonce: string, expiresAt: number): boolean;
}

/** A tool failure the model should read: a code and a plain sentence saying what to do. */
export class McpToolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "McpToolError";
  }
}

/** A confirm token lives this long: enough to read a preview to the user and hear yes. */
export const CONFIRM_TTL_MS = 120_000;

export function createMcpDeps(client: ServiceClient, mode: Mode, options: { confirmTtlMs?: number; now?: () => number } = {}): McpDeps {
  const spent = new Map<string, number>();
  const now = options.now ?? Date.now;
  return {
    client,
    mode,
    // Per process: a restart voids every outstanding token, which is the safe direction.
    tokenSecret: randomBytes(32).toString("hex"),
    confirmTtlMs: options.confirmTtlMs ?? CONFIRM_TTL_MS,
    now,
    spendToken(nonce, expiresAt) {
      const at = now();
      for (const [n, until] of spent) if (until <= at) spent.delete(n);
      if (spent.has(nonce)) return false;
      spent.set(nonce, expiresAt);
      return true;
    },
  };
}
