/**
 * The live cockpit on reporting: GET /cockpit (the page), GET /events (its updates, server-sent),
 * the kill switch relayed to risk, and the sampler that records the day's equity marked to market.
 * Same key guard as every route here; behind Caddy a browser logs in as for the report page.
 */
import { cockpitClearKillSwitchRoute, cockpitSetKillSwitchRoute } from "../../contracts/cockpit.ts";
import { clearEmergencyStopRoute, emergencyStopRoute } from "../../contracts/risk.ts";
import { etDate } from "../../domain/exchange-calendar.ts";
import { sumDecimal } from "../../domain/money.ts";
import { unrealizedPnl } from "../../domain/reporting/unrealized.ts";
import type { Broker } from "../../adapters/broker/broker.ts";
import { ServiceCallError } from "../../runtime/client.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { ApiError, errorBody, errorResponse } from "../../runtime/errors.ts";
import { mount, type ServiceApp } from "../../runtime/http.ts";
import { repeatEvery } from "../../runtime/repeat.ts";
import { createCockpitEvents } from "./cockpit-events.ts";
import { cockpitPage } from "./cockpit-page.ts";
import { SECTION_IDS, renderSection, type SectionId } from "./cockpit-sections.ts";
import { cockpitSources } from "./cockpit-sources.ts";
import { realizedOn, recordEquitySample } from "./cockpit-store.ts";
import { openPositions } from "./store.ts";

/** Inline script by nonce only; its fetches and event stream to this origin only. */
const csp = (nonce: string) => `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'`;

/** A relayed call's failure keeps the callee's status and words. */
async function relay<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ServiceCallError) throw new ApiError(error.status === 0 ? 503 : error.status, error.code, error.message);
    throw error;
  }
}

export function mountCockpit(app: ServiceApp, ctx: ServiceContext, broker: Broker): { stop(): void } {
  const render = (ids: readonly SectionId[]) => {
    const sources = cockpitSources(ctx, broker);
    return new Map(ids.map((id) => [id, renderSection(id, sources)] as const));
  };
  const events = createCockpitEvents(ctx.bus, render);

  // A cross-site form can post urlencoded or plain text with the browser's basic-auth credentials,
  // never JSON (that needs CORS, which nothing here allows): the cockpit's actions take JSON only.
  app.onRequest(({ request }) => {
    if (request.method !== "POST" || !new URL(request.url).pathname.startsWith("/cockpit/")) return;
    if (!request.headers.get("content-type")?.toLowerCase().startsWith("application/json")) {
      return errorResponse(415, errorBody("unsupported_media_type", "send the body as JSON (content-type: application/json)"));
    }
  });

  app.get("/cockpit", async () => {
    const batch = render(SECTION_IDS);
    const sections = Object.fromEntries(await Promise.all(SECTION_IDS.map(async (id) => [id, await batch.get(id)!] as const))) as Parameters<typeof cockpitPage>[0]["sections"];
    const nonce = crypto.randomUUID().replaceAll("-", "");
    return new Response(cockpitPage({ mode: ctx.config.mode, sections, nonce }), {
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": csp(nonce) },
    });
  });

  app.get("/events", ({ request }) => events.connect(request));

  mount(app, cockpitSetKillSwitchRoute, async ({ body }) => {
    const report = await relay(() => ctx.client.call(emergencyStopRoute, { body: { reason: body.reason, setBy: "cockpit" } }, { timeoutMs: 70_000 }));
    events.touch(["kill", "risk", "now", "orders", "positions"]);
    return report;
  });

  mount(app, cockpitClearKillSwitchRoute, async () => {
    const answer = await relay(() => ctx.client.call(clearEmergencyStopRoute, { query: { clearedBy: "cockpit" } }));
    events.touch(["kill", "risk", "now"]);
    return answer;
  });

  const sampler = repeatEvery(ctx.config.reporting.equitySampleSeconds, async () => {
    try {
      const clock = await broker.getClock();
      if (!clock.isOpen) return;
      const at = Date.parse(clock.timestamp);
      const date = etDate(at);
      const [account, realized, open] = await Promise.all([broker.getAccount(), realizedOn(ctx.sql, date), openPositions(ctx.sql)]);
      await recordEquitySample(ctx.sql, date, { at, startEquity: account.lastEquity, realized, unrealized: sumDecimal(open.map(unrealizedPnl)) });
      events.touch(["equity"]);
    } catch (error) {
      ctx.log.warn("equity sample failed; retrying", { error: (error as Error).message });
    }
  });

  return {
    stop() {
      sampler.stop();
      events.close();
    },
  };
}
