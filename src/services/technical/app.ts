/** technical: indicators and a technical signal per symbol and timeframe, from the broker's bars. */
import { indicatorsRoute } from "../../contracts/technical.ts";
import { serviceBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { createServiceApp, mount } from "../../runtime/http.ts";
import { indicatorsHandler } from "./indicators.ts";

export function createTechnicalApp(ctx: ServiceContext) {
  return mount(createServiceApp(ctx), indicatorsRoute, indicatorsHandler(serviceBroker(ctx)));
}
