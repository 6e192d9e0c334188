/**
 * A position held at the venue and unknown to Catalyst, imported as the doctor imports one: bought
 * outside Catalyst (a venue order of its own), then recorded as source 'external' without an entry
 * fill, opened at the market's now (the venue's clock, not the wall's); and closed by its protection.
 */
import type { TestAppliance } from "./appliance.ts";
import { waitFor } from "./env.ts";

export async function importedExternalPosition(t: Pick<TestAppliance, "venue" | "sql">, symbol: string, qty = 5) {
  const outside = await t.venue("/v2/orders", { body: { symbol, qty: String(qty), side: "buy", type: "market", time_in_force: "day" } });
  const held = await waitFor("the outside buy filled", async () => {
    const p = await t.venue(`/v2/positions/${symbol}`);
    return p?.qty === String(qty) && p;
  });
  const openedAt = (await t.venue("/v2/clock")).timestamp;
  const [imported] = await t.sql`insert into positions (security_id, side, qty, avg_entry_price, source, opened_at)
                                 values (get_or_create_security(${symbol}), 'long', ${qty}, ${held.avg_entry_price}, 'external', ${openedAt})
                                 returning position_id::int`;
  return { outsideOrderId: outside.id as string, held, positionId: imported!.position_id as number };
}

/** Protects the position with a tight stop-and-target pair, walks the market a minute at a time until one side fills, and waits until the books closed it. */
export async function closeByTightPair(t: Pick<TestAppliance, "api" | "venue" | "sql">, position: { positionId: number; symbol: string; price: number }): Promise<void> {
  const { positionId, symbol, price } = position;
  const placed = await t.api("trading", `/api/v1/positions/${positionId}/protect`, {
    body: { stopLoss: (price * 0.995).toFixed(2), takeProfit: (price * 1.015).toFixed(2), reason: "tight pair" },
  });
  if (placed.status !== 200) throw new Error(`protect refused: ${placed.status} ${JSON.stringify(placed.body)}`);
  for (let i = 0; i < 120 && (await t.venue(`/v2/positions/${symbol}`))?.qty !== undefined; i++) {
    await t.venue("/admin/v1/clock/advance", { body: { seconds: 60 } });
  }
  await t.api("trading", "/api/v1/sync", { method: "POST" });
  await waitFor("the position closed in the books", async () => (await t.sql`select status from positions where position_id = ${positionId}`)[0]!.status === "closed");
}
