/** pattern (5002): chart and candlestick patterns on a symbol's latest bars, from the broker's market data. */
import { patternsRoute } from "../../contracts/pattern.ts";
import { serviceBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { createServiceApp, mount } from "../../runtime/http.ts";
import { createPatternAnalyzer } from "./analyze.ts";

export function createPatternApp(ctx: ServiceContext) {
  const analyze = createPatternAnalyzer(serviceBroker(ctx));
  return mount(createServiceApp(ctx), patternsRoute, ({ params, query }) =>
    analyze({
      symbol: params.symbol.toUpperCase(),
      timeframe: query.timeframe ?? "5Min",
      limit: query.limit ?? 120,
      minConfidence: query.minConfidence ?? 0,
    }),
  );
}
