/** reporting (5009): performance over a period, the day's trade journal, both as an HTML page at /, and the live cockpit (cockpit.ts). */
import { journalRoute, performanceRoute } from "../../contracts/reporting.ts";
import { etDate } from "../../domain/exchange-calendar.ts";
import { isCalendarDate, reportAsOf } from "../../domain/reporting/periods.ts";
import { unrealizedPnl } from "../../domain/reporting/unrealized.ts";
import { BROKER_API, marketNow, serviceBroker, viaBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { ApiError } from "../../runtime/errors.ts";
import { createServiceApp, mount } from "../../runtime/http.ts";
import { mountCockpit } from "./cockpit.ts";
import { journalOf } from "./journal.ts";
import { reportPage } from "./page.ts";
import { performanceOf } from "./performance.ts";
import { openPositions } from "./store.ts";

export function createReportingApp(ctx: ServiceContext) {
  const broker = serviceBroker(ctx);
  const app = createServiceApp(ctx);
  const mode = ctx.config.mode;

  const now = () => viaBroker(() => marketNow(broker), BROKER_API);
  /** The market's now, the broker's account and the open book: what every performance figure starts from. */
  const market = async () => {
    const [at, account] = await viaBroker(() => Promise.all([marketNow(broker), broker.getAccount()]), BROKER_API);
    return { now: at, account, open: await openPositions(ctx.sql) };
  };

  const calendarDate = (date: string) => {
    if (!isCalendarDate(date)) throw new ApiError(422, "validation_failed", `query field "date": ${date} is not a calendar date`, "date");
    return date;
  };

  mount(app, performanceRoute, async ({ query }) => {
    const date = query.date === undefined ? undefined : calendarDate(query.date);
    const state = await market();
    return performanceOf(ctx.sql, { ...state, now: reportAsOf(date, state.now) }, query.period ?? "day", mode);
  });

  mount(app, journalRoute, async ({ query }) => {
    const at = await now();
    const date = calendarDate(query.date ?? etDate(at));
    return { mode, date, trades: await journalOf(ctx.sql, date, at) };
  });

  app.get("/", async () => {
    const state = await market();
    const [today, journal] = await Promise.all([performanceOf(ctx.sql, state, "day", mode), journalOf(ctx.sql, etDate(state.now), state.now)]);
    const open = state.open.map((p) => ({ ...p, unrealizedPnl: unrealizedPnl(p) }));
    const page = reportPage({ mode, asOf: state.now, today, open, journal });
    return new Response(page, {
      // Defence in depth: even if text slipped through unescaped, nothing could load or run.
      headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'" },
    });
  });

  const cockpit = mountCockpit(app, ctx, broker);
  // Bun's graceful stop waits for every open response: end the cockpit's event streams first.
  const stopServer = app.stop.bind(app);
  app.stop = async (closeActiveConnections) => {
    cockpit.stop();
    return stopServer(closeActiveConnections);
  };

  return app;
}
