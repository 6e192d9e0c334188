/**
 * The appliance an order-path benchmark measures: sim venue at 10:30 on a trading day with its
 * clock paused (nothing fills unless the clock is advanced), broker pacing off and up to 1,000
 * entries a day allowed. On the embedded database unless a PostgreSQL URL is given.
 */
import type { ServiceName } from "../src/runtime/services.ts";
import { startTestAppliance, type TestAppliance } from "../test/support/appliance.ts";
import { BACKENDS } from "../test/support/env.ts";

export async function startBenchAppliance(only: ServiceName[], databaseUrl: string | null = null): Promise<TestAppliance> {
  // The embedded backend prepares the data dir; DATABASE_URL, when given, moves the database out of it.
  const t = await startTestAppliance(
    BACKENDS.find((b) => b.name === "embedded")!,
    {
      VENUE_START: "2026-03-10T10:30",
      BROKER_REQUESTS_PER_MINUTE: "1000000",
      RISK_MAX_TRADES_PER_DAY: "1000",
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
    only,
  );
  await t.venue("/admin/v1/clock", { method: "PUT", body: { paused: true } });
  // The env sets the hard bound; the limit in force is raised to it here.
  const raised = await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxTradesPerDay: 1000 }, reason: "benchmark" } });
  if (raised.status !== 200) throw new Error(`raising maxTradesPerDay failed: ${JSON.stringify(raised.body)}`);
  return t;
}
