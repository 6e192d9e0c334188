/**
 * A position held at the venue and unknown to Catalyst, imported as the doctor imports one: bought
 * outside Catalyst (a venue order of its own), then recorded as source 'external' without an entry
 * fill, opened at the market's now (the venue's clock, not the wall's).
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
