/** The API key: from CATALYST_API_KEY, else (sim mode only) generated once into the data dir. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";

export interface ResolvedApiKey {
  key: string;
  /** Where it came from, for the start-up message (the key itself is never logged). */
  source: "CATALYST_API_KEY" | string;
  generated: boolean;
}

export function resolveApiKey(config: Config): ResolvedApiKey {
  if (config.apiKey) return { key: config.apiKey, source: "CATALYST_API_KEY", generated: false };
  const file = join(config.dataDir, "api-key");
  if (existsSync(file)) {
    const key = readFileSync(file, "utf8").trim();
    if (key.length >= 16) return { key, source: file, generated: false };
  }
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, source: file, generated: true };
}
