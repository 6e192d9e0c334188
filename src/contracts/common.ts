/** Schema pieces several services' contracts share, so a ticker or timeframe means the same everywhere. */
import { Type as t, type Static } from "@sinclair/typebox";

/** A US equity ticker as the broker spells it (class shares with a dot or slash). */
export const Ticker = t.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9./-]{0,19}$", description: "ticker, e.g. AAPL or BRK.B" });

/** Bar sizes; the same union as the broker's, so a route's timeframe goes to it as is. */
export const Timeframe = t.Union([t.Literal("1Min"), t.Literal("5Min"), t.Literal("15Min"), t.Literal("1Hour"), t.Literal("1Day")]);
export type Timeframe = Static<typeof Timeframe>;

export const TradeDirection = t.Union([t.Literal("long"), t.Literal("short")]);
export type TradeDirection = Static<typeof TradeDirection>;
