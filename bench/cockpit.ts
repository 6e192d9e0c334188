/**
 * Cockpit figures, in Debian's Chromium via playwright-core, on the embedded backend: the page's
 * time to first paint and first contentful paint (the browser's paint timing, median of fresh
 * loads), and the live-update latency from a bus message to the DOM change it causes (median and
 * p90 over N kill-switch toggles made through risk's API: each publishes risk_alert, and the page
 * stamps the section it swaps in with the message's publishedAt and its own clock).
 */
import { servicePort } from "../src/config.ts";
import { startTestAppliance } from "../test/support/appliance.ts";
import { launchChromium } from "../test/support/browser.ts";
import { BACKENDS } from "../test/support/env.ts";
import { fmt, median, percentile } from "./stats.ts";

const LOADS = Number(process.env.BENCH_COCKPIT_LOADS ?? 7);
const TOGGLES = Number(process.env.BENCH_COCKPIT_TOGGLES ?? 20);

const t = await startTestAppliance(BACKENDS.find((b) => b.name === "embedded")!, { VENUE_START: "2026-03-10T10:30", BROKER_REQUESTS_PER_MINUTE: "1000000" }, [
  "venue",
  "risk",
  "trading",
  "workflow",
  "reporting",
]);
const browser = await launchChromium();
try {
  const context = await browser.newContext({ extraHTTPHeaders: { "x-api-key": t.key }, viewport: { width: 1400, height: 900 } });
  const url = `http://127.0.0.1:${servicePort(t.config, "reporting")}/cockpit`;

  const paints: { fp: number; fcp: number; response: number }[] = [];
  // One load first, not counted: the services' first renders warm their code paths and pools.
  for (let i = -1; i < LOADS; i++) {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "load" });
    // Paint timing is recorded once the frame is painted, which may follow the load event.
    await page.waitForFunction(() => performance.getEntriesByType("paint").length >= 2);
    const timing = await page.evaluate(() => {
        const paint = (name: string) => performance.getEntriesByType("paint").find((e) => e.name === name)?.startTime ?? Number.NaN;
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        return { fp: paint("first-paint"), fcp: paint("first-contentful-paint"), response: nav.responseEnd };
      });
    if (i >= 0) paints.push(timing);
    await page.close();
  }
  console.log(
    `cockpit page (${LOADS} loads): first paint p50 ${fmt(median(paints.map((p) => p.fp)))} ms, first contentful paint p50 ${fmt(median(paints.map((p) => p.fcp)))} ms, ` +
      `HTML received p50 ${fmt(median(paints.map((p) => p.response)))} ms`,
  );

  const page = await context.newPage();
  await page.goto(url);
  await page.locator("#live", { hasText: "live" }).waitFor();
  const latencies: number[] = [];
  let coalesced = 0;
  for (let i = 0; i < TOGGLES; i++) {
    const on = i % 2 === 0;
    const answer = on
      ? await t.api("risk", "/api/v1/risk/emergency-stop", { body: { reason: `bench toggle ${i}`, setBy: "bench" } })
      : await t.api("risk", "/api/v1/risk/emergency-stop?clearedBy=bench", { method: "DELETE" });
    if (answer.status !== 200) throw new Error(`kill switch toggle failed: ${JSON.stringify(answer.body)}`);
    await page.waitForFunction((state) => document.querySelector<HTMLElement>("#s-kill [data-kill]")?.dataset.kill === state, on ? "on" : "off");
    const stamp = await page.locator("#s-kill").evaluate((el: HTMLElement) => ({ cause: el.dataset.cause, at: Date.parse(el.dataset.causeAt ?? ""), shown: Number(el.dataset.updatedAt) }));
    // A timer refresh that happened to share the batch stamps it with its own (earlier) time: not a bus delay.
    if (stamp.cause === "risk_alert") latencies.push(stamp.shown - stamp.at);
    else coalesced++;
  }
  console.log(
    `cockpit live update, bus message → DOM (${latencies.length} of ${TOGGLES} kill-switch toggles${coalesced ? `; ${coalesced} shared a timer refresh, not counted` : ""}): ` +
      `p50 ${fmt(median(latencies))} ms, p90 ${fmt(percentile(latencies, 90))} ms (issue's target for a fill to reach the screen: 2,000 ms)`,
  );
} finally {
  await browser.close();
  await t.stop();
}
