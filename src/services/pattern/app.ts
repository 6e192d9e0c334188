/** pattern (5002): chart and candlestick patterns on a symbol's latest bars, from the broker's market data. */
import { patternsBatchRoute, patternsRoute } from "../../contracts/pattern.ts";
import { serviceBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { ApiError, batchAnswer } from "../../runtime/errors.ts";
import { createServiceApp, mount } from "../../runtime/http.ts";
import { createPatternAnalyzer } from "./analyze.ts";

const DEFAULT_TIMEFRAME = "5Min";
const DEFAULT_LIMIT = 120;

export function createPatternApp(ctx: ServiceContext) {
  const analyze = createPatternAnalyzer(serviceBroker(ctx));
  const app = createServiceApp(ctx);

  mount(app, patternsRoute, async ({ params, query }) => {
    const symbol = params.symbol.toUpperCase();
    const outcomes = await analyze({ symbols: [symbol], timeframe: query.timeframe ?? DEFAULT_TIMEFRAME, limit: query.limit ?? DEFAULT_LIMIT, minConfidence: query.minConfidence ?? 0 });
    const outcome = outcomes.get(symbol)!;
    if (outcome instanceof ApiError) throw outcome;
    return outcome;
  });

  mount(app, patternsBatchRoute, async ({ body }) => {
    const symbols = [...new Set(body.symbols.map((s) => s.toUpperCase()))];
    const outcomes = await analyze({ symbols, timeframe: body.timeframe ?? DEFAULT_TIMEFRAME, limit: body.limit ?? DEFAULT_LIMIT, minConfidence: body.minConfidence ?? 0 });
    return batchAnswer(symbols, outcomes);
  });

  return app;
}
