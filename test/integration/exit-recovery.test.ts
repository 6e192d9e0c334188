/**
 * A close killed between its decision and the broker, on both backends: the flatten has claimed each
 * position's exit and cancelled its bracket legs at the venue, and the process dies before any exit
 * is sent. The positions are then open with nothing working for them at the venue. After the
 * restart the sync finds the exits never arrived and closes the positions again: each ends flat with
 * exactly one exit at the venue, and the books agree with the venue.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { disagreements } from "../support/agreement.ts";
import { liquidSymbols } from "../support/appliance.ts";
import { BACKENDS, waitFor, type Backend } from "../support/env.ts";
import { killableAppliance, type KillableAppliance } from "../support/killable-appliance.ts";

const KEY = "exit-recovery-key-0123456789abcdef";
const POSITIONS = 3;

for (const backend of BACKENDS) describe(`a close killed before its exits were sent, on ${backend.name}`, () => recoverySuite(backend));

function recoverySuite(backend: Backend) {
  let app: KillableAppliance;

  beforeAll(async () => {
    // A lost submit waits ten minutes before it counts as never sent; the exits a crash left unsent
    // must not: the process that wrote them is gone, so the restart settles them at once.
    app = await killableAppliance(backend, KEY, etInstant("2026-03-10", "11:00"), { TRADING_UNKNOWN_ORDER_SECONDS: "600" });
    await app.start();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  test("after the restart every position is closed again: flat at the venue, one exit each, books = venue", async () => {
    const picked = await liquidSymbols({ venue: app.venueApi }, POSITIONS);
    const symbols = picked.map((p) => p.symbol);
    for (const { symbol, price } of picked) {
      const placed = await app.api("trading", "/api/v1/orders", {
        body: { symbol, side: "long", type: "market", qty: 10, stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), source: "api", idempotencyKey: `recover-${symbol}` },
      });
      expect({ symbol, status: placed.status }).toEqual({ symbol, status: 200 });
    }
    const venueOrders = () => app.venue.exchange.listOrders({ status: "all", limit: 10_000, direction: "asc", nested: false, symbols });
    const workingLegs = () => venueOrders().filter((o) => o.parentId !== null && ["new", "accepted", "partially_filled"].includes(o.status));
    await waitFor("the entries to fill and their legs to work", async () => workingLegs().length === 2 * POSITIONS, 30_000);

    // Every venue call now takes 1.5 s: the flatten claims the exits, cancels the legs, and is killed
    // while it waits to see the cancels confirmed — before any exit is sent.
    app.venue.setFaults({ latencyMs: 1_500 });
    const flatten = app.api("trading", "/api/v1/flatten", { body: { reason: "exit recovery test" } }).catch(() => null);
    await waitFor("the legs to be cancelled at the venue", async () => workingLegs().length === 0, 30_000, 5);
    await app.kill();
    await flatten;
    const exitsAtVenue = () => venueOrders().filter((o) => o.parentId === null && o.side === "sell");
    expect(exitsAtVenue()).toEqual([]);
    expect(app.venue.exchange.positions().filter((p) => symbols.includes(p.symbol)).length).toBe(POSITIONS);

    app.venue.setFaults({ latencyMs: 0 });
    await app.start();
    await waitFor("flat at the venue", async () => app.venue.exchange.positions().filter((p) => symbols.includes(p.symbol)).length === 0, 45_000);
    await waitFor("the books to show every position closed", async () => (await app.api("trading", "/api/v1/positions")).body.positions.length === 0, 15_000);

    const sql = app.database();
    const exits = await sql`select p.position_id, s.symbol, o.status, o.cancel_reason, o.metadata->>'note' as note, o.broker_order_id
                              from orders o join positions p using (position_id) join securities s on s.security_id = p.security_id
                             where o.role = 'exit' order by o.order_id`;
    for (const symbol of symbols) {
      const ofSymbol = exits.filter((e) => e.symbol === symbol);
      // The lost claim, settled as never sent, then the exit that closed the position.
      expect(ofSymbol.map((e) => e.status)).toEqual(["cancelled", "filled"]);
      expect(ofSymbol[0]!.cancel_reason).toStartWith("not sent: the service stopped before the broker call");
      expect(ofSymbol[1]!.note).toContain("never reached the broker");
      expect(exitsAtVenue().filter((o) => o.symbol === symbol).map((o) => o.id)).toEqual([ofSymbol[1]!.broker_order_id]);
    }
    const attempts = await sql`select action, count(*)::int as n from position_exit_attempts group by action`;
    expect(attempts.map((a) => ({ ...a }))).toEqual([{ action: "exit_sent", n: POSITIONS }]);
    const [closed] = await sql`select count(*)::int as n from positions where status = 'closed' and close_reason = 'flatten'`;
    expect(closed!.n).toBe(POSITIONS);
    expect(await disagreements({ api: app.api as never, venue: app.venueApi, sql })).toEqual([]);
  }, 180_000);
}
