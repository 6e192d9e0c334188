/**
 * The broker as a service's /health reports it: the account, read at most once per PROBE_TTL_MS.
 * Only the very first /health waits for a read; after that an older result is answered at once
 * while one shared read refreshes it, so /health stays cheap. Each result carries its own age and
 * the last successful read's, so a stale "ok" cannot pass for a fresh one.
 */
import type { Broker } from "../adapters/broker/broker.ts";
import type { Mode } from "../config.ts";
import { withDeadline } from "./deadline.ts";
import { errorMessage } from "./errors.ts";

const PROBE_TTL_MS = 10_000;
/** Below the 3 s orchestration gives each service's /health. */
const PROBE_DEADLINE_MS = 2_000;

export interface BrokerCheck {
  ok: boolean;
  /** "venue" (sim mode's simulated Alpaca) or "alpaca". */
  kind: string;
  latencyMs: number;
  detail?: string;
  /** The last read of the account that succeeded (ISO), null if none has. */
  lastSuccessAt: string | null;
  lastSuccessAgeSeconds: number | null;
  /** How old this result is: it is cached for up to PROBE_TTL_MS. */
  checkedAgeSeconds: number;
}

export interface BrokerProbe {
  check(): Promise<BrokerCheck>;
}

export function createBrokerProbe(broker: Pick<Broker, "getAccount">, mode: Mode): BrokerProbe {
  const kind = mode === "sim" ? "venue" : "alpaca";
  let last: { ok: boolean; latencyMs: number; detail?: string; at: number } | null = null;
  let lastSuccessAt: number | null = null;
  let probing: Promise<void> | null = null;

  const probe = async () => {
    const started = performance.now();
    try {
      const account = await withDeadline(broker.getAccount(), PROBE_DEADLINE_MS, "the account read");
      const latencyMs = Math.round(performance.now() - started);
      lastSuccessAt = Date.now();
      last = account.tradingBlocked
        ? { ok: false, latencyMs, detail: `the broker answers but trading is blocked on the account (status ${account.status}); check the account at the broker`, at: Date.now() }
        : { ok: true, latencyMs, at: Date.now() };
    } catch (error) {
      last = { ok: false, latencyMs: Math.round(performance.now() - started), detail: `the broker's account could not be read: ${errorMessage(error)}`, at: Date.now() };
    }
  };

  return {
    async check() {
      if (last === null || Date.now() - last.at > PROBE_TTL_MS) {
        const refresh = (probing ??= probe().finally(() => (probing = null)));
        if (last === null) await refresh;
      }
      const now = Date.now();
      const result = last!;
      return {
        ok: result.ok,
        kind,
        latencyMs: result.latencyMs,
        ...(result.detail === undefined ? {} : { detail: result.detail }),
        lastSuccessAt: lastSuccessAt === null ? null : new Date(lastSuccessAt).toISOString(),
        lastSuccessAgeSeconds: lastSuccessAt === null ? null : Math.round((now - lastSuccessAt) / 1000),
        checkedAgeSeconds: Math.round((now - result.at) / 1000),
      };
    },
  };
}
