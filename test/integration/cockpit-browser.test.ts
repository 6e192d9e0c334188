/**
 * The cockpit in a real browser (Debian's Chromium via playwright-core), on both backends: it loads
 * without a console error; a position appears by itself once its order fills at the venue (the
 * delay is printed against the 2 s); the kill switch is set and cleared from the page with
 * the keyboard, and risk's API agrees; the day's equity is sampled and drawn; screenshots at 1400
 * and 390 px go to test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { servicePort } from "../../src/config.ts";
import { liquidSymbols, startTestAppliance } from "../support/appliance.ts";
import { artifactPath, launchChromium } from "../support/browser.ts";
import { BACKENDS, waitFor } from "../support/env.ts";

const ENV = { VENUE_START: "2026-03-10T10:30", BROKER_REQUESTS_PER_MINUTE: "100000", REPORTING_EQUITY_SAMPLE_SECONDS: "1" };
/** Generous: the box is shared and slow; the delay itself is printed, not asserted. */
const APPEAR_TIMEOUT_MS = 20_000;

for (const backend of BACKENDS) {
  describe(`cockpit in a browser on ${backend.name}`, () => {
    let t: Awaited<ReturnType<typeof startTestAppliance>>;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let loaded: Response | null;
    const problems: string[] = [];
    const tag = backend.name === "embedded" ? "" : "-postgres";

    beforeAll(async () => {
      t = await startTestAppliance(backend, ENV, ["venue", "risk", "trading", "workflow", "reporting"]);
      browser = await launchChromium();
      // The key as Caddy would send it for a logged-in browser; it reaches the event stream too.
      context = await browser.newContext({ extraHTTPHeaders: { "x-api-key": t.key }, viewport: { width: 1400, height: 900 } });
      page = await context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      loaded = await page.goto(`http://127.0.0.1:${servicePort(t.config, "reporting")}/cockpit`);
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await t?.stop();
    });

    test("loads with every section, goes live, and logs no console error", async () => {
      expect(loaded?.status()).toBe(200);
      await page.locator("#live", { hasText: "live" }).waitFor({ timeout: APPEAR_TIMEOUT_MS });
      for (const id of ["now", "kill", "risk", "positions", "orders", "doctor", "equity", "journal"]) {
        await expect(page.locator(`#s-${id}`).count()).resolves.toBe(1);
      }
      await expect(page.locator("#s-now").innerText()).resolves.toContain("Market");
      await expect(page.locator("#s-risk").innerText()).resolves.toContain("Daily loss limit used");
      await expect(page.locator("#s-positions").innerText()).resolves.toContain("No open positions");
      // Every source answered: no section shows a load problem.
      await expect(page.locator(".problem").count()).resolves.toBe(0);
      expect(problems).toEqual([]);
    });

    test("a position appears by itself after its order fills at the venue", async () => {
      const { symbol, price } = (await liquidSymbols(t, 1))[0]!;
      await page.locator("#live", { hasText: "live" }).waitFor({ timeout: APPEAR_TIMEOUT_MS });
      const row = page.locator(`#s-positions tr[data-symbol="${symbol}"]`);
      const started = Date.now();
      const placed = await t.api("trading", "/api/v1/orders", {
        body: { symbol, side: "long", type: "market", stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), qty: 10, source: "api" },
      });
      expect(placed.status).toBe(200);
      await row.waitFor({ timeout: APPEAR_TIMEOUT_MS });
      const shown = Date.now();
      // The fill's instant is the venue's (market) time; at speed 1 it maps to wall time by one offset.
      const before = Date.now();
      const venueNow = Date.parse((await t.venue("/admin/v1/clock")).now);
      const offset = venueNow - (before + Date.now()) / 2;
      const [fill] = await t.sql`select filled_at from fills where order_id = ${placed.body.order.orderId} order by filled_at limit 1`;
      const filledWall = fill!.filled_at.getTime() - offset;
      const update = await page.locator("#s-positions").evaluate((el: HTMLElement) => ({ channel: el.dataset.cause, at: Date.parse(el.dataset.causeAt ?? ""), shown: Number(el.dataset.updatedAt) }));
      const delay = update.shown - filledWall;
      console.log(
        `[cockpit ${backend.name}] ${symbol}: filled at the venue ${Math.round(filledWall - started)} ms after the order was sent; on screen ${Math.round(delay)} ms after the fill` +
          ` (bus ${update.channel} published ${Math.round(update.at - filledWall)} ms after the fill, DOM updated ${update.shown - update.at} ms after that; Playwright saw it ${shown - started} ms after sending)` +
          ` — issue's target 2,000 ms: ${delay <= 2_000 ? "met" : "NOT met"}`,
      );
      // Its stop and target are shown, and the working orders list its bracket legs.
      const cells = await row.locator("td").allInnerTexts();
      expect(cells.join(" ")).toContain((price * 0.97).toFixed(2).replace(/0$/, ""));
      await page.locator("#s-orders", { hasText: symbol }).waitFor({ timeout: APPEAR_TIMEOUT_MS });
      expect(problems).toEqual([]);
    });

    test("the day's equity is sampled while the market is open (realized + unrealized) and drawn live", async () => {
      const samples = await waitFor("two equity samples", async () => {
        const rows = await t.sql`select trading_date::text as day, start_equity::text, realized::text, unrealized::text from equity_samples order by sampled_at`;
        return rows.length >= 2 && rows;
      });
      expect(samples[0]!.day).toBe("2026-03-10");
      expect(Number(samples.at(-1)!.start_equity)).toBeGreaterThan(0);
      await page.locator("#s-equity svg.equity").waitFor({ timeout: APPEAR_TIMEOUT_MS });
      await expect(page.locator("#s-equity").innerText()).resolves.toContain("Latest sample");
    });

    test("screenshots at 1400 and 390 px; the phone width scrolls nowhere sideways", async () => {
      for (const width of [1400, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        const path = artifactPath(`cockpit${tag}-${width}.png`);
        await page.screenshot({ path, fullPage: true });
        console.log(`[cockpit ${backend.name}] screenshot ${width} px: ${path}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow).toBe(0);
      }
      await page.setViewportSize({ width: 1400, height: 900 });
    });

    test("the kill switch is set with a reason and cleared with a confirmation, from the keyboard", async () => {
      const reason = "cockpit test: news halt";
      await page.focus("#kill-reason");
      await page.keyboard.type(reason);
      await page.keyboard.press("Enter");
      await page.locator('#s-kill [data-kill="on"]').waitFor({ timeout: APPEAR_TIMEOUT_MS });
      await expect(page.locator("#s-kill").innerText()).resolves.toContain(reason);
      let status = (await t.api("risk", "/api/v1/risk/status")).body;
      expect(status.killSwitch).toMatchObject({ active: true, reason, setBy: "cockpit" });

      // Cancelling the confirmation leaves it set.
      await page.focus("#kill-clear-open");
      await page.keyboard.press("Enter");
      await expect(page.locator("#kill-confirm").isVisible()).resolves.toBe(true);
      await page.keyboard.press("Escape");
      await expect(page.locator("#kill-confirm").isVisible()).resolves.toBe(false);
      expect((await t.api("risk", "/api/v1/risk/status")).body.killSwitch.active).toBe(true);

      await page.focus("#kill-clear-open");
      await page.keyboard.press("Enter");
      await page.focus("#kill-clear-yes");
      await page.keyboard.press("Enter");
      await page.locator('#s-kill [data-kill="off"]').waitFor({ timeout: APPEAR_TIMEOUT_MS });
      status = (await t.api("risk", "/api/v1/risk/status")).body;
      expect(status.killSwitch.active).toBe(false);
      await expect(page.locator("#kill-result").innerText()).resolves.toContain("cleared");
      expect(problems).toEqual([]);
    });

    test("the cockpit's actions take JSON only, and the page and its stream need the key", async () => {
      const base = `http://127.0.0.1:${servicePort(t.config, "reporting")}`;
      const form = await fetch(`${base}/cockpit/kill-switch`, { method: "POST", headers: { "x-api-key": t.key, "content-type": "application/x-www-form-urlencoded" }, body: "reason=csrf+attempt" });
      expect(form.status).toBe(415);
      const unconfirmed = await t.api("reporting", "/cockpit/kill-switch/clear", { body: { confirm: false } });
      expect(unconfirmed.status).toBe(422);
      expect(unconfirmed.body.error.field).toBe("confirm");
      const short = await t.api("reporting", "/cockpit/kill-switch", { body: { reason: "x" } });
      expect(short.status).toBe(422);
      expect(short.body.error.field).toBe("reason");
      expect((await t.api("risk", "/api/v1/risk/status")).body.killSwitch.active).toBe(false);
      for (const path of ["/cockpit", "/events"]) expect((await fetch(`${base}${path}`)).status).toBe(401);
    });
  });
}
