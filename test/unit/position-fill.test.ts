import { describe, expect, test } from "bun:test";
import { noFills, positionFigures, withFill, type FillFact, type PositionFills } from "../../src/domain/orders/position-fill.ts";

const buy = (qty: string, price: string): FillFact => ({ side: "buy", qty, price });
const sell = (qty: string, price: string): FillFact => ({ side: "sell", qty, price });
const apply = (start: PositionFills, fills: FillFact[]) => fills.reduce(withFill, start);

describe("a position from its fills", () => {
  test("one entry, one exit: realized = (exit − entry) × qty, long and short", () => {
    const long = positionFigures(apply(noFills("long"), [buy("100", "10.00"), sell("100", "10.25")]));
    expect(long).toEqual({ qty: "0", avgEntryPrice: "10.0000", avgExitPrice: "10.2500", realizedPnl: "25.00", closed: true });
    const short = positionFigures(apply(noFills("short"), [sell("100", "10.00"), buy("100", "10.25")]));
    expect(short.realizedPnl).toBe("-25.00");
    expect(short.closed).toBe(true);
  });

  test("partial entries at odd averages: the close realizes exactly Σ exits − Σ entries, not (exit − rounded average) × qty", () => {
    // Average entry 10.013333…: a 4 dp average times 1,500 shares would be off by 0.5 cent; per-fill
    // rounding of each partial exit would drift further.
    const entries = [buy("500", "10.01"), buy("500", "10.01"), buy("500", "10.02")];
    const exits = [sell("333", "10.07"), sell("333", "10.05"), sell("834", "10.03")];
    const fills = apply(noFills("long"), [...entries, ...exits]);
    const figures = positionFigures(fills);
    // 3,353.31 + 3,346.65 + 8,365.02 − (10,010.00 + 5,010.00)
    expect(figures.realizedPnl).toBe("44.98");
    expect(figures.avgEntryPrice).toBe("10.0133");
    expect(figures.closed).toBe(true);
  });

  test("a partial exit realizes its share of the average cost; the rest stays open", () => {
    const figures = positionFigures(apply(noFills("long"), [buy("100", "20.00"), buy("100", "21.00"), sell("50", "22.00")]));
    expect(figures.qty).toBe("150");
    expect(figures.realizedPnl).toBe("75.00"); // 50 × (22 − 20.50)
    expect(figures.avgExitPrice).toBe("22.0000");
    expect(figures.closed).toBe(false);
  });

  test("cumulative realized P&L does not drift with the number of exits", () => {
    let fills = apply(noFills("long"), [buy("3", "10.00"), buy("3", "10.01")]); // average 10.005
    const cents: string[] = [];
    for (let i = 0; i < 6; i++) {
      fills = withFill(fills, sell("1", "10.02"));
      cents.push(positionFigures(fills).realizedPnl);
    }
    // Each exit makes 1.5 cents; rounding each exit separately would book 2 cents six times.
    expect(cents.at(-1)).toBe("0.09");
  });

  test("a fill that would reverse the position, a zero fill, and no entry at all are refused", () => {
    const open = apply(noFills("long"), [buy("10", "5.00")]);
    expect(() => withFill(open, sell("11", "5.10"))).toThrow(/would reverse/);
    expect(() => withFill(open, buy("0", "5.10"))).toThrow(/qty must be > 0/);
    expect(() => positionFigures(noFills("short"))).toThrow(/entry fill/);
  });
});
