/** technical: indicators and a technical signal per symbol and timeframe, from the broker's bars. */
import { DEFAULT_BAR_LIMIT, DEFAULT_TIMEFRAME, indicatorsBatchRoute, indicatorsRoute } from "../../contracts/technical.ts";
import { serviceBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { ApiError, batchAnswer } from "../../runtime/errors.ts";
import { createServiceApp, mount } from "../../runtime/http.ts";
import { indicatorEngine } from "./indicators.ts";

export function createTechnicalApp(ctx: ServiceContext) {
  const indicators = indicatorEngine(serviceBroker(ctx));
  const app = createServiceApp(ctx);

  mount(app, indicatorsRoute, async ({ params, query }) => {
    const symbol = params.symbol.toUpperCase();
    const outcome = (await indicators([symbol], query.timeframe ?? DEFAULT_TIMEFRAME, query.limit ?? DEFAULT_BAR_LIMIT)).get(symbol)!;
    if (outcome instanceof ApiError) throw outcome;
    return outcome;
  });

  mount(app, indicatorsBatchRoute, async ({ body }) => {
    const symbols = [...new Set(body.symbols.map((s) => s.toUpperCase()))];
    const outcomes = await indicators(symbols, body.timeframe ?? DEFAULT_TIMEFRAME, body.limit ?? DEFAULT_BAR_LIMIT);
    return batchAnswer(symbols, outcomes);
  });

  return app;
}
