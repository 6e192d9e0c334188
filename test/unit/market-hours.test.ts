import { expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { describeEt, marketClosed, marketClosedLine } from "../../src/domain/market-hours.ts";

test("a Sunday: closed until Monday's open; Friday is the last whole day to rehearse", () => {
  const sunday = etInstant("2026-12-06", "06:40");
  expect(marketClosed(sunday)).toEqual({ nextOpen: etInstant("2026-12-07", "09:30"), lastFullDay: "2026-12-04" });
  expect(marketClosedLine(sunday, marketClosed(sunday)!)).toBe(
    "market closed (sim clock Sunday 2026-12-06 06:40 ET): nothing trades until Monday 2026-12-07 09:30 ET. " +
      "To rehearse a whole day now: catalyst demo (or serve with VENUE_START=2026-12-04T09:05 VENUE_SPEED=300)",
  );
});

test("a trading day from the 04:00 pre-market to the close is under way; before and after it is not", () => {
  expect(marketClosed(etInstant("2026-03-10", "04:00"))).toBeNull();
  expect(marketClosed(etInstant("2026-03-10", "15:59"))).toBeNull();
  expect(marketClosed(etInstant("2026-03-10", "03:00"))).toEqual({ nextOpen: etInstant("2026-03-10", "09:30"), lastFullDay: "2026-03-09" });
  expect(marketClosed(etInstant("2026-03-10", "16:00"))).toEqual({ nextOpen: etInstant("2026-03-11", "09:30"), lastFullDay: "2026-03-10" });
});

test("holidays and early closes follow the exchange calendar", () => {
  // Thanksgiving 2026 (Thursday 26th) is closed; the Friday after closes at 13:00.
  expect(marketClosed(etInstant("2026-11-26", "11:00"))).toEqual({ nextOpen: etInstant("2026-11-27", "09:30"), lastFullDay: "2026-11-25" });
  expect(marketClosed(etInstant("2026-11-27", "13:05"))?.lastFullDay).toBe("2026-11-27");
  expect(describeEt(etInstant("2026-11-27", "13:00"))).toBe("Friday 2026-11-27 13:00 ET");
});
