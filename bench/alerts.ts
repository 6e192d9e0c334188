/**
 * Alert latency: an emergency stop set through the risk API, to its signed alert arriving at a
 * loopback webhook (venue, risk, trading running), on both backends. Two figures per backend, each
 * over EVENTS stops: from the bus message's publishedAt to the webhook's receipt (wall clock, 1 ms resolution: the notifier's
 * own path), and from the API request to the receipt (what the trader waits). Each stop is cleared
 * before the next; the clears wait in a batch flushed at the end and are not measured.
 */
import { BACKENDS } from "../test/support/env.ts";
import { startTestAppliance } from "../test/support/appliance.ts";
import { startWebhookSink, type WebhookDelivery } from "../test/support/webhook-sink.ts";
import { fmt, median, percentile } from "./stats.ts";

const EVENTS = Number(process.env.BENCH_ALERT_EVENTS ?? 30);
const WARMUP = 3;

console.log(`\nAlerts: emergency stop → signed webhook (${EVENTS} events per backend, loopback receiver)`);
for (const backend of BACKENDS) {
  const hook = startWebhookSink();
  const t = await startTestAppliance(
    backend,
    { VENUE_START: "2026-03-10T10:30", ALERT_WEBHOOK_URL: hook.url, ALERT_WEBHOOK_SECRET: hook.secret, ALERT_BATCH_SECONDS: "3600", ALERT_MAX_PER_MINUTE: "100000" },
    ["venue", "risk", "trading"],
  );
  const fromPublish: number[] = [];
  const fromRequest: number[] = [];
  for (let i = 0; i < WARMUP + EVENTS; i++) {
    const arrived = Promise.withResolvers<{ delivery: WebhookDelivery; wallMs: number }>();
    hook.onDelivery = (delivery) => {
      if (delivery.body.events.some((e) => e.kind === "kill_switch")) arrived.resolve({ delivery, wallMs: Date.now() });
    };
    const began = performance.now();
    const set = await t.api("risk", "/api/v1/risk/emergency-stop", { body: { reason: `bench ${i}` } });
    if (set.status !== 200) throw new Error(`emergency stop failed: ${JSON.stringify(set.body)}`);
    const { delivery, wallMs } = await arrived.promise;
    if (!delivery.verified) throw new Error("the webhook's signature did not verify");
    if (i >= WARMUP) {
      fromPublish.push(wallMs - Date.parse(delivery.body.events[0]!.at));
      fromRequest.push(delivery.receivedAt - began);
    }
    const cleared = await t.api("risk", "/api/v1/risk/emergency-stop", { method: "DELETE" });
    if (cleared.status !== 200) throw new Error(`clearing failed: ${JSON.stringify(cleared.body)}`);
  }
  await t.stop();
  hook.stop();
  const line = (xs: number[]) => `p50 ${fmt(median(xs), 1)} ms, p99 ${fmt(percentile(xs, 99), 1)} ms`;
  console.log(`${backend.name.padEnd(16)} publish → webhook ${line(fromPublish)}   API request → webhook ${line(fromRequest)}`);
}
