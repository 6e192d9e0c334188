/**
 * Exact arithmetic on decimal strings ("12.34", "-10", "0.0051"), as Alpaca sends money and
 * quantities: each value becomes a BigInt of its smallest unit, so no float decides an order.
 */

/** A decimal string as the broker sends it: optional minus, digits, optional fraction. */
export type Decimal = string;

const DECIMAL = /^-?\d+(\.\d+)?$/;

interface Scaled {
  units: bigint;
  /** Digits after the point: units × 10^-scale is the value. */
  scale: number;
}

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

function parse(value: Decimal): Scaled {
  if (!DECIMAL.test(value)) throw new RangeError(`not a decimal number: "${value}"`);
  const point = value.indexOf(".");
  const fraction = point < 0 ? "" : value.slice(point + 1);
  const whole = point < 0 ? value : value.slice(0, point);
  return { units: BigInt(whole + fraction), scale: fraction.length };
}

function format({ units, scale }: Scaled): Decimal {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const sign = negative ? "-" : "";
  return scale === 0 ? `${sign}${whole}` : `${sign}${whole}.${digits.slice(digits.length - scale)}`;
}

function atScale(value: Scaled, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

export function compareDecimal(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  const difference = atScale(x, scale) - atScale(y, scale);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** The exact product (e.g. qty × price → notional), keeping every digit: "3" × "12.345" = "37.035". */
export function multiplyDecimal(a: Decimal, b: Decimal): Decimal {
  const x = parse(a);
  const y = parse(b);
  return format({ units: x.units * y.units, scale: x.scale + y.scale });
}

/** The magnitude: Alpaca sends short position quantities negative ("-10"). */
export function absDecimal(value: Decimal): Decimal {
  const { units, scale } = parse(value);
  return format({ units: units < 0n ? -units : units, scale });
}

/** "buy" rounds down (never pay more than asked), "sell" rounds up (never take less); none rounds half up. */
export type TickRounding = "buy" | "sell";

const ONE_DOLLAR: Decimal = "1";
const CENT_DIGITS = 2;
const SUB_PENNY_DIGITS = 4;

function divideRounded(units: bigint, divisor: bigint, side: TickRounding | undefined): bigint {
  const quotient = units / divisor;
  const remainder = units % divisor;
  if (remainder === 0n) return quotient;
  if (side === "buy") return quotient;
  if (side === "sell") return quotient + 1n;
  return remainder * 2n >= divisor ? quotient + 1n : quotient;
}

function tickDigits(price: Decimal): number {
  return compareDecimal(price, ONE_DOLLAR) >= 0 ? CENT_DIGITS : SUB_PENNY_DIGITS;
}

/** Whether a price needs no rounding to be on the tick grid ("12.340" is, "12.345" is not). */
export function isOnTick(price: Decimal): boolean {
  const { units, scale } = parse(price);
  const digits = tickDigits(price);
  return scale <= digits || units % 10n ** BigInt(scale - digits) === 0n;
}

/**
 * A positive price on Alpaca's tick grid (Reg NMS sub-penny rule): whole cents at ≥ $1, four
 * decimals below, formatted with exactly that many digits ("12.30", "0.5120").
 */
export function roundToTick(price: Decimal, side?: TickRounding): Decimal {
  const value = parse(price);
  if (value.units <= 0n) throw new RangeError(`a price must be positive (got "${price}")`);
  const digits = tickDigits(price);
  const units =
    value.scale <= digits
      ? atScale(value, digits)
      : divideRounded(value.units, 10n ** BigInt(value.scale - digits), side);
  if (units === 0n) throw new RangeError(`price "${price}" rounds to zero`);
  const rounded = format({ units, scale: digits });
  // 0.99996 rounds up to a dollar, where the grid is cents: "1.0000" → "1.00".
  return digits === SUB_PENNY_DIGITS && compareDecimal(rounded, ONE_DOLLAR) >= 0
    ? format({ units: units / 10n ** BigInt(SUB_PENNY_DIGITS - CENT_DIGITS), scale: CENT_DIGITS })
    : rounded;
}

function sameScale(a: Decimal, b: Decimal): { x: bigint; y: bigint; scale: number } {
  const pa = parse(a);
  const pb = parse(b);
  const scale = Math.max(pa.scale, pb.scale);
  return { x: atScale(pa, scale), y: atScale(pb, scale), scale };
}

/** The exact sum: "0.1" + "0.2" = "0.3". */
export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const { x, y, scale } = sameScale(a, b);
  return format({ units: x + y, scale });
}

/** `value` without an all-zero fraction ("10.000" → "10", "10.50" stays): how a share count reads in a message or an order. */
export function withoutZeroFraction(value: Decimal): Decimal {
  return value.replace(/\.0+$/, "");
}

/** The exact difference a − b. */
export function subtractDecimal(a: Decimal, b: Decimal): Decimal {
  const { x, y, scale } = sameScale(a, b);
  return format({ units: x - y, scale });
}

/** Σ values, exactly ("0" for none). */
export function sumDecimal(values: readonly Decimal[]): Decimal {
  return values.reduce((total, value) => addDecimal(total, value), "0");
}

export type DivisionRounding = "floor" | "half_up";

/**
 * a ÷ b with `digits` decimals. "floor" rounds toward −∞ (share counts: never size above the
 * budget); "half_up" rounds half away from zero (money for display and reports).
 */
export function divideDecimal(a: Decimal, b: Decimal, digits: number, rounding: DivisionRounding): Decimal {
  const { x, y } = sameScale(a, b);
  if (y === 0n) throw new RangeError(`division by zero ("${a}" / "${b}")`);
  if (!Number.isInteger(digits) || digits < 0) throw new RangeError(`digits must be a whole number ≥ 0 (got ${digits})`);
  const numerator = x * 10n ** BigInt(digits);
  let quotient = numerator / y;
  const remainder = numerator % y;
  if (remainder !== 0n) {
    const negative = numerator < 0n !== y < 0n;
    if (rounding === "floor" && negative) quotient -= 1n;
    if (rounding === "half_up") {
      const twice = (remainder < 0n ? -remainder : remainder) * 2n;
      if (twice >= (y < 0n ? -y : y)) quotient += negative ? -1n : 1n;
    }
  }
  return format({ units: quotient, scale: digits });
}

/** Rounded half away from zero to `digits` decimals: money is stored in cents ("12.345" → "12.35"). */
export function roundDecimal(value: Decimal, digits: number): Decimal {
  return divideDecimal(value, "1", digits, "half_up");
}

export function minDecimal(a: Decimal, b: Decimal): Decimal {
  return compareDecimal(a, b) <= 0 ? a : b;
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return compareDecimal(a, b) >= 0 ? a : b;
}

/** A number that came from market data as a decimal string, for arithmetic on money ("12.3400001" stays as given up to 6 dp). */
export function decimalFromNumber(value: number, digits = 6): Decimal {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return roundDecimal(value.toFixed(digits + 2), digits);
}
