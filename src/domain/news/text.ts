/**
 * News text → something rules can match: HTML and entities gone, names that are not news removed
 * (a company before its ticker: "Summit Acquisition (SMAC)" must not read as a merger; an event:
 * "the Annual Growth Conference"), lower case, one space.
 */

const ENTITIES: Record<string, string> = { amp: "&", quot: '"', apos: "'", lt: "<", gt: ">", nbsp: " ", "#39": "'" };

/** "Acme Robotics (ACME)", "Acme Robotics Inc. (NASDAQ: ACME)": up to four capitalised words before a ticker. */
const NAME_BEFORE_TICKER = /(?:\b[A-Z][\w&'.-]*\s+){1,4}\((?:[A-Z]{2,8}:\s*)?[A-Z0-9][A-Z0-9./-]{0,9}\)/g;

/** "the Annual Growth Conference": an event's name, not news about growth. */
const EVENT_NAME = /(?:\b[A-Z][\w&'.-]*\s+){1,4}(?:Conference|Summit|Forum|Symposium|Expo)\b/g;

export function plainText(text: string): string {
  return text
    .replace(/<[^>]*>/g, " ")
    .replace(/&([a-z]+|#\d+);/gi, (whole, name: string) => ENTITIES[name.toLowerCase()] ?? whole)
    .replace(/[\u2018\u2019\u201B]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2010-\u2015]/g, "-");
}

/** Lower-cased plain text with company names before tickers and event names replaced by placeholders. */
export function normalizeNewsText(text: string): string {
  return plainText(text)
    .replace(NAME_BEFORE_TICKER, "the company ")
    .replace(EVENT_NAME, "the conference")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/** Word tokens of normalised text; hyphenated compounds split ("wider-than-expected" → 3 words). */
export function words(normalized: string): string[] {
  return normalized.match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}
