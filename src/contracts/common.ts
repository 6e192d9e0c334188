/** Schema pieces several services' contracts share, so a ticker or timeframe means the same everywhere. */
import { Type as t, type Static, type TSchema } from "@sinclair/typebox";

/** A US equity ticker as the broker spells it (class shares with a dot or slash). */
export const TICKER_PATTERN = "^[A-Za-z0-9][A-Za-z0-9./-]{0,19}$";
export const Ticker = t.String({ pattern: TICKER_PATTERN, description: "ticker, e.g. AAPL or BRK.B" });

/** Bar sizes; the same union as the broker's, so a route's timeframe goes to it as is. */
export const Timeframe = t.Union([t.Literal("1Min"), t.Literal("5Min"), t.Literal("15Min"), t.Literal("1Hour"), t.Literal("1Day")]);
export type Timeframe = Static<typeof Timeframe>;

export const TradeDirection = t.Union([t.Literal("long"), t.Literal("short")]);
export type TradeDirection = Static<typeof TradeDirection>;

/** Most symbols one batch call takes. */
export const MAX_BATCH_SYMBOLS = 100;

/** A batch answer: per symbol, its report or its own error (one symbol failing does not fail the batch). */
export const batchResults = <Report extends TSchema>(report: Report) =>
  t.Object({
    results: t.Array(
      t.Object({
        symbol: t.String(),
        report: t.Union([report, t.Null()]),
        error: t.Union([t.Object({ status: t.Integer(), code: t.String(), message: t.String() }), t.Null()]),
      }),
    ),
  });

/** An exact decimal as a string ("12.34", "-5"): money and prices are never floats on the order path. */
export const DECIMAL_PATTERN = "^-?\\d+(\\.\\d+)?$";
export const Money = t.String({ pattern: DECIMAL_PATTERN, description: "exact decimal, e.g. \"-123.45\"" });

/**
 * A price as given by the caller: a decimal string ("12.34") or a JSON number (12.34, read as
 * written, never through float arithmetic). Must be > 0; the server rounds it to the tick.
 */
export const PriceInput = t.Union([
  t.String({ pattern: "^\\d+(\\.\\d+)?$", description: "price as a decimal string, e.g. \"12.34\"" }),
  t.Number({ exclusiveMinimum: 0, maximum: 1_000_000, description: "price, e.g. 12.34" }),
]);
export type PriceInput = Static<typeof PriceInput>;

export const Uuid = t.String({ format: "uuid" });
export const Nullable = <S extends TSchema>(schema: S) => t.Union([schema, t.Null()]);

/** Which world a report describes: every answer that shows money or trades says so. */
export const TradingMode = t.Union([t.Literal("sim"), t.Literal("paper"), t.Literal("live")]);
