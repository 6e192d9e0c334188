/** Numbers as the report page shows them: exact decimal strings grouped, never re-rounded through floats. */
import { roundDecimal, type Decimal } from "../../domain/money.ts";

/** "-1234.5" → "−$1,234.50". */
export function formatUsd(value: Decimal): string {
  const cents = roundDecimal(value, 2);
  const negative = cents.startsWith("-");
  const [whole, fraction] = (negative ? cents.slice(1) : cents).split(".");
  return `${negative ? "−" : ""}$${whole!.replace(/\B(?=(\d{3})+$)/g, ",")}.${fraction}`;
}

/** "+$12.00" / "−$3.40": P&L shows its sign. */
export function formatPnl(value: Decimal): string {
  const text = formatUsd(value);
  return text.startsWith("−") || /^\$0\.00$/.test(text) ? text : `+${text}`;
}

/** Share counts without padding zeros: "100.000000" → "100", "2.500000" → "2.5". */
export function formatQty(value: Decimal): string {
  return value.includes(".") ? value.replace(/\.?0+$/, "") : value;
}

/** Prices with at least cents: "12.3000" → "12.30", "0.5120" → "0.512". */
export function formatPrice(value: Decimal | null): string {
  return value === null ? "—" : value.replace(/(\.\d{2}\d*?)0+$/, "$1");
}

export function formatNumber(value: number | null, digits = 2): string {
  return value === null ? "—" : value.toFixed(digits);
}
