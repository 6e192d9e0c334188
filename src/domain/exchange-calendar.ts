/**
 * NYSE trading calendar in America/New_York: holidays, early closes, session instants and ET
 * wall-clock conversions. Pure: ET offsets come from Intl (never the server's time zone) and are
 * memoised; nothing reads the clock.
 */

/** An ET calendar date, "YYYY-MM-DD". */
export type IsoDate = string;

/** One trading day's instants, epoch ms. */
export interface TradingSession {
  date: IsoDate;
  /** 09:30 ET */
  open: number;
  /** 16:00 ET, or 13:00 ET on an early-close day */
  close: number;
  /** 04:00 ET, start of pre-market */
  preOpen: number;
  /** 20:00 ET, end of after-hours */
  postClose: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HH_MM = /^(\d{2}):(\d{2})$/;

/** Unscheduled full-day closures (national days of mourning, 9/11, Hurricane Sandy). */
const SPECIAL_CLOSURES: ReadonlySet<IsoDate> = new Set([
  "2001-09-11",
  "2001-09-12",
  "2001-09-13",
  "2001-09-14",
  "2004-06-11",
  "2007-01-02",
  "2012-10-29",
  "2012-10-30",
  "2018-12-05",
  "2025-01-09",
]);

// ---- plain calendar arithmetic (UTC fields stand in for a zone-less date) ----

function dayNumber(date: IsoDate): number {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`not an ISO date: ${date}`);
  const [, y, m, d] = match;
  const days = Date.UTC(Number(y), Number(m) - 1, Number(d)) / DAY_MS;
  if (isoFromDayNumber(days) !== date) throw new RangeError(`not a calendar date: ${date}`);
  return days;
}

function isoFromDayNumber(days: number): IsoDate {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

function ymd(year: number, month: number, day: number): IsoDate {
  return isoFromDayNumber(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
function weekday(date: IsoDate): number {
  return new Date(dayNumber(date) * DAY_MS).getUTCDay();
}

export function addDays(date: IsoDate, n: number): IsoDate {
  return isoFromDayNumber(dayNumber(date) + n);
}

/** The nth (1-based) given weekday of a month; n = -1 for the last one. */
function nthWeekday(year: number, month: number, dayOfWeek: number, n: number): IsoDate {
  if (n > 0) {
    const first = ymd(year, month, 1);
    return addDays(first, ((dayOfWeek - weekday(first) + 7) % 7) + (n - 1) * 7);
  }
  const last = ymd(year, month + 1, 0);
  return addDays(last, -((weekday(last) - dayOfWeek + 7) % 7));
}

/** Western Easter Sunday (anonymous Gregorian computus). */
function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, day);
}

/** Saturday → Friday, Sunday → Monday (NYSE Rule 7.2). */
function observed(date: IsoDate): IsoDate {
  const dow = weekday(date);
  if (dow === 6) return addDays(date, -1);
  if (dow === 0) return addDays(date, 1);
  return date;
}

interface YearRules {
  holidays: ReadonlySet<IsoDate>;
  earlyCloses: ReadonlySet<IsoDate>;
}

const yearRules = new Map<number, YearRules>();

function rulesFor(year: number): YearRules {
  const cached = yearRules.get(year);
  if (cached) return cached;
  const holidays = new Set<IsoDate>();
  // New Year's Day on a Saturday is not observed on Dec 31 (the year-end books stay open).
  const newYear = ymd(year, 1, 1);
  if (weekday(newYear) !== 6) holidays.add(observed(newYear));
  holidays.add(nthWeekday(year, 1, 1, 3)); // Martin Luther King Jr. Day
  holidays.add(nthWeekday(year, 2, 1, 3)); // Washington's Birthday
  holidays.add(addDays(easterSunday(year), -2)); // Good Friday
  holidays.add(nthWeekday(year, 5, 1, -1)); // Memorial Day
  if (year >= 2022) holidays.add(observed(ymd(year, 6, 19))); // Juneteenth
  holidays.add(observed(ymd(year, 7, 4)));
  holidays.add(nthWeekday(year, 9, 1, 1)); // Labor Day
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  holidays.add(thanksgiving);
  holidays.add(observed(ymd(year, 12, 25)));

  const earlyCloses = new Set<IsoDate>([addDays(thanksgiving, 1)]);
  // The eves of Independence Day and Christmas close at 13:00 when they are ordinary weekdays.
  for (const eve of [ymd(year, 7, 3), ymd(year, 12, 24)]) {
    const dow = weekday(eve);
    if (dow !== 0 && dow !== 6 && !holidays.has(eve)) earlyCloses.add(eve);
  }
  const rules = { holidays, earlyCloses };
  yearRules.set(year, rules);
  return rules;
}

function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

export function isHoliday(date: IsoDate): boolean {
  return SPECIAL_CLOSURES.has(date) || rulesFor(yearOf(date)).holidays.has(date);
}

export function isEarlyClose(date: IsoDate): boolean {
  return rulesFor(yearOf(date)).earlyCloses.has(date) && !SPECIAL_CLOSURES.has(date);
}

export function isTradingDay(date: IsoDate): boolean {
  const dow = weekday(date);
  return dow !== 0 && dow !== 6 && !isHoliday(date);
}

/** The first trading day strictly after `date`. */
export function nextTradingDay(date: IsoDate): IsoDate {
  let day = addDays(date, 1);
  while (!isTradingDay(day)) day = addDays(day, 1);
  return day;
}

/** The last trading day strictly before `date`. */
export function previousTradingDay(date: IsoDate): IsoDate {
  let day = addDays(date, -1);
  while (!isTradingDay(day)) day = addDays(day, -1);
  return day;
}

/** The last regular-session close at or before `epochMs` (early closes respected). */
export function lastCloseAtOrBefore(epochMs: number): number {
  const today = etDate(epochMs);
  const todays = session(today);
  if (todays && epochMs >= todays.close) return todays.close;
  return session(previousTradingDay(today))!.close;
}

/** Trading days from start to end, both inclusive; [] when start > end. */
export function tradingDaysBetween(start: IsoDate, end: IsoDate): IsoDate[] {
  const days: IsoDate[] = [];
  const last = dayNumber(end);
  for (let n = dayNumber(start); n <= last; n++) {
    const day = isoFromDayNumber(n);
    if (isTradingDay(day)) days.push(day);
  }
  return days;
}

// ---- America/New_York wall clock ----

const etFormatter = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
});

// Offsets only change on whole UTC hours, so one Intl call per hour is exact.
const offsetByHour = new Map<number, number>();
const OFFSET_CACHE_LIMIT = 8192;

/** ET wall time minus UTC at the instant, in ms (-4 h in summer, -5 h in winter). */
function etOffsetMs(epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  const cached = offsetByHour.get(hour);
  if (cached !== undefined) return cached;
  const fields: Record<string, number> = {};
  for (const part of etFormatter.formatToParts(hour * HOUR_MS)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    fields.year ?? 0,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  const offset = wall - hour * HOUR_MS;
  if (offsetByHour.size >= OFFSET_CACHE_LIMIT) offsetByHour.clear();
  offsetByHour.set(hour, offset);
  return offset;
}

export function etDate(epochMs: number): IsoDate {
  return isoFromDayNumber(Math.floor((epochMs + etOffsetMs(epochMs)) / DAY_MS));
}

/** Whole minutes since ET midnight (0 … 1439). */
export function etMinutesOfDay(epochMs: number): number {
  const wall = epochMs + etOffsetMs(epochMs);
  return Math.floor((wall - Math.floor(wall / DAY_MS) * DAY_MS) / 60_000);
}

/** The instant of an ET wall time "HH:MM" on `date`. */
export function etInstant(date: IsoDate, hhmm: string): number {
  const match = HH_MM.exec(hhmm);
  if (!match) throw new RangeError(`not an HH:MM time: ${hhmm}`);
  const wall = dayNumber(date) * DAY_MS + Number(match[1]) * HOUR_MS + Number(match[2]) * 60_000;
  // Two passes settle the offset even when the first guess lands across a DST switch.
  const guess = wall - etOffsetMs(wall);
  return wall - etOffsetMs(guess);
}

/** RFC 3339 in ET with its offset, e.g. "2026-03-09T09:30:00-04:00" (Alpaca's clock format). */
export function formatEt(epochMs: number): string {
  const offset = etOffsetMs(epochMs);
  const wall = new Date(Math.floor((epochMs + offset) / 1000) * 1000).toISOString().slice(0, 19);
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? "-" : "+";
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${wall}${sign}${hh}:${mm}`;
}

const sessions = new Map<IsoDate, TradingSession | null>();
const SESSION_CACHE_LIMIT = 16_384;

/** The session of `date`, or null on weekends and holidays. */
export function session(date: IsoDate): TradingSession | null {
  const cached = sessions.get(date);
  if (cached !== undefined) return cached;
  const result = isTradingDay(date)
    ? Object.freeze({
        date,
        open: etInstant(date, "09:30"),
        close: etInstant(date, isEarlyClose(date) ? "13:00" : "16:00"),
        preOpen: etInstant(date, "04:00"),
        postClose: etInstant(date, "20:00"),
      })
    : null;
  if (sessions.size >= SESSION_CACHE_LIMIT) sessions.clear();
  sessions.set(date, result);
  return result;
}
