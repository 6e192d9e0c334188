/** The venue's own control surface (not Alpaca's): clock, faults, drift scenarios, the request audit and the universe's sectors. */
import { Elysia } from "elysia";
import { invalid, notFound } from "../exchange/types.ts";
import { faultPlanProblem, NO_FAULTS, type FaultPlan } from "../faults.ts";
import { instant, integerParam, jsonObject, parseOrderSubmission } from "../parse.ts";
import { orderJson } from "../shapes/trading.ts";
import type { Venue } from "../venue.ts";

type Query = Record<string, string | undefined>;

export function adminRoutes(venue: Venue) {
  const clockJson = () => {
    const state = venue.clock.state();
    venue.now();
    return { now: new Date(state.now).toISOString(), speed: state.speed, paused: state.paused };
  };
  const faultsJson = () => ({ ...venue.faults, partialFills: venue.exchange.forcedPartialFills });

  return new Elysia({ name: "venue-admin", prefix: "/admin/v1" })
    .get("/clock", clockJson)
    .put("/clock", ({ body }) => {
      const fields = jsonObject(body);
      const time = typeof fields.time === "string" ? instant(fields.time, "time") : undefined;
      if (fields.time !== undefined && time === undefined) throw invalid("time must be an RFC 3339 timestamp");
      if (fields.speed !== undefined && typeof fields.speed !== "number") throw invalid("speed must be a number > 0");
      if (fields.paused !== undefined && typeof fields.paused !== "boolean") throw invalid("paused must be true or false");
      venue.now();
      venue.clock.set({ time, speed: fields.speed as number | undefined, paused: fields.paused as boolean | undefined });
      return clockJson();
    })
    .post("/clock/advance", ({ body }) => {
      const fields = jsonObject(body);
      if (typeof fields.seconds !== "number" || !(fields.seconds >= 0)) throw invalid("seconds must be a number >= 0");
      venue.now();
      venue.clock.advance(fields.seconds * 1000);
      return clockJson();
    })
    // Alpaca's assets carry no sector; sim mode loads the synthetic universe's from here (GICS sector names).
    .get("/sectors", () => ({ sectors: venue.market.assets().map((asset) => ({ symbol: asset.symbol, sector: asset.sector })) }))
    .get("/faults", faultsJson)
    .put("/faults", ({ body }) => {
      const changes = jsonObject(body);
      const problem = faultPlanProblem(changes);
      if (problem) throw invalid(problem);
      venue.setFaults(changes as Partial<FaultPlan>);
      return faultsJson();
    })
    .delete("/faults", () => {
      venue.setFaults(NO_FAULTS);
      return faultsJson();
    })
    .post("/positions/:symbol/vanish", ({ params }) => {
      const symbol = params.symbol.toUpperCase();
      venue.now();
      if (!venue.exchange.vanishPosition(symbol)) throw notFound(`no open position in ${symbol}`);
      return { symbol, vanished: true };
    })
    .post("/orders", ({ body }) => {
      // An order placed outside Catalyst (another app, the broker's web page): an orphan to Catalyst.
      const submission = parseOrderSubmission(body);
      const order = venue.exchange.submit(submission, venue.now());
      return orderJson(order, venue.exchange.legsOf(order));
    })
    .get("/audit", ({ query }: { query: Query }) => {
      const entries = venue.audit.query({
        afterSeq: query.after_seq === undefined ? undefined : integerParam(query.after_seq, "after_seq", 0, 0, Number.MAX_SAFE_INTEGER),
        method: query.method?.toUpperCase(),
        pathPrefix: query.path_prefix,
        caller: query.caller,
        limit: integerParam(query.limit, "limit", 1_000, 1, 10_000),
      });
      return { entries, last_seq: venue.audit.lastSeq };
    });
}
