/** Prices as integer ticks of $0.0001: exact sums and comparisons; Alpaca's decimal strings on the way out. */

export const TICKS_PER_DOLLAR = 10_000;
const ONE_DOLLAR = TICKS_PER_DOLLAR;
const CENT = 100;

/** Dollars (a tick-valid number or decimal string) → ticks. */
export function toTicks(dollars: number | string): number {
  return Math.round(Number(dollars) * TICKS_PER_DOLLAR);
}

/** The quoting increment at a price: a cent at ≥ $1, $0.0001 below (Reg NMS sub-penny rule). */
export function tickSize(ticks: number): number {
  return ticks >= ONE_DOLLAR ? CENT : 1;
}

export function isOnTick(ticks: number): boolean {
  return ticks % tickSize(ticks) === 0;
}

/** Rounds to the quoting increment; `up` for prices a buyer pays, down for what a seller gets. */
export function roundTicks(ticks: number, direction: "up" | "down" | "nearest"): number {
  const size = tickSize(ticks);
  const units = ticks / size;
  const rounded = direction === "up" ? Math.ceil(units - 1e-9) : direction === "down" ? Math.floor(units + 1e-9) : Math.round(units);
  return rounded * size;
}

/** Ticks → Alpaca's decimal string ("12.34", "0.5123"): 2 decimals at ≥ $1, 4 below. */
export function formatPrice(ticks: number): string {
  return formatDecimal(ticks, Math.abs(ticks) >= ONE_DOLLAR ? 2 : 4);
}

/** An amount in ticks (cash, P&L, market value) as a dollar string with up to 4 decimals, trailing zeros trimmed to cents. */
export function formatMoney(ticks: number): string {
  return formatDecimal(ticks, ticks % CENT === 0 ? 2 : 4);
}

function formatDecimal(ticks: number, decimals: 2 | 4): string {
  const sign = ticks < 0 ? "-" : "";
  const abs = Math.abs(Math.round(ticks));
  const whole = Math.floor(abs / TICKS_PER_DOLLAR);
  const frac = String(abs % TICKS_PER_DOLLAR).padStart(4, "0");
  return `${sign}${whole}.${decimals === 2 ? frac.slice(0, 2) : frac}`;
}
