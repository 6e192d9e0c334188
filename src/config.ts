/**
 * Environment → typed, validated configuration. The only reader of process.env:
 * everything else receives a Config (workers get it by message, never re-reading env).
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { etInstant } from "./domain/exchange-calendar.ts";
import { DEFAULT_FLATTEN_WINDOW_MINUTES } from "./domain/flatten-window.ts";
import type { AllowedOrigins } from "./domain/oauth/request-origin.ts";
import { AUTOSTART_SETTINGS, type AutostartSetting } from "./domain/workflow/autostart.ts";
import { DEFAULT_EXIT_STALL_MS } from "./domain/orders/flatten-step.ts";
import { DEFAULT_EXIT_PARTICIPATION_PCT } from "./domain/risk/sizing.ts";
import { UserFixableError } from "./runtime/errors.ts";
import { SERVICE_NAMES, SERVICE_PORT_OFFSETS, type ServiceName } from "./runtime/services.ts";

export type Mode = "sim" | "paper" | "live";
export const MODES: readonly Mode[] = ["sim", "paper", "live"];

export interface AlpacaCredentials {
  keyId: string;
  secretKey: string;
}

/** The simulated venue (sim mode, or `catalyst venue`). */
export interface VenueSettings {
  keyId: string;
  /** null → the Catalyst API key is the secret. */
  secretKey: string | null;
  seed: number;
  /** Simulated seconds per real second. */
  speed: number;
  /** Simulated start instant (epoch ms); null → the real now. */
  start: number | null;
  initialCashUsd: number;
}

/** News ingestion and sentiment. */
export interface NewsSettings {
  /** Folder holding a FinBERT-style text-classification model (ONNX); null → the finance lexicon. */
  modelsDir: string | null;
  /** Minutes between scheduled ingests. */
  ingestEveryMinutes: number;
  /** Catalyst strength (0–1) at or above which `catalyst:news_catalyst` is published. */
  catalystThreshold: number;
}

/** The composite score's weights: each component's share (they are normalised to sum to 1). */
export interface ScanWeights {
  catalyst: number;
  momentum: number;
  volume: number;
  technical: number;
  pattern: number;
}

export interface ScannerSettings {
  priceMinUsd: number;
  priceMaxUsd: number;
  /** 20-day average daily volume, shares. */
  minAvgVolume: number;
  /** Pre-filter: a symbol passes on |gap %| or on relative volume. */
  minGapPct: number;
  minRelativeVolume: number;
  /** How many pre-filtered symbols are enriched with news, indicators and patterns. */
  enrichTop: number;
  weights: ScanWeights;
}

/**
 * The loosest risk limits the API may set (PUT /api/v1/risk/parameters, MCP): a limit can be
 * tightened freely, loosened only up to these. Decimal strings, like the limits themselves.
 */
export interface RiskHardBounds {
  maxOpenPositions: number;
  maxPositionNotional: string;
  maxPositionPctEquity: string;
  maxDailyLoss: string;
  dailyLossWarnPct: string;
  maxSectorExposurePct: string;
  /** A floor, not a ceiling: reward:risk may not be set below it. */
  minRewardRisk: string;
  maxTradesPerDay: number;
  riskPerTradePct: string;
}

export interface RiskSettings {
  hardBounds: RiskHardBounds;
  /** A limit price may be at most this % away from the quote (stale prices were a fault of the original). */
  priceBandPct: number;
  /** Seconds between daily-loss checks of the whole account. */
  monitorSeconds: number;
  /** 0–100: the share of each minute's volume an exit is assumed to take (exit_liquidity sizes entries by it). */
  exitParticipationPct: string;
  /** A market entry needs a quote at most this many market-clock seconds old (stale_quote). */
  maxQuoteAgeSeconds: number;
  /** 0–100: the share of its mark value a position without a working stop counts as at risk. */
  unprotectedLossPct: string;
}

/**
 * Server-side limits every pool sets on its connections, so one hung statement, lock wait or
 * forgotten transaction cannot stall a loop for good. On the embedded database the wire server
 * enforces the lock wait and the idle transaction; PGlite cannot interrupt a running statement.
 */
export interface DatabaseTimeouts {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { statementTimeoutMs: 30_000, lockTimeoutMs: 10_000, idleInTransactionTimeoutMs: 60_000 };

export interface Config {
  mode: Mode;
  /** null only in sim mode before the runtime generates one into the data dir. */
  apiKey: string | null;
  dataDir: string;
  /** null → the embedded PostgreSQL in the data dir. */
  databaseUrl: string | null;
  databaseTimeouts: DatabaseTimeouts;
  /** null → the in-process bus shared by the workers. */
  redisUrl: string | null;
  /** Prefix of bus channels (`catalyst:scan_complete`). */
  busNamespace: string;
  alpaca: AlpacaCredentials | null;
  bindHost: string;
  portBase: number;
  serviceUrls: Record<ServiceName, string>;
  /** null → escalation e-mail is off (issues are still logged). */
  smtpUrl: string | null;
  /** Recipients, comma-separated; set exactly when smtpUrl is. */
  alertEmailTo: string | null;
  /** The From: address; set exactly when smtpUrl is. */
  alertEmailFrom: string | null;
  alerts: AlertSettings;
  logLevel: LogLevel;
  venue: VenueSettings;
  news: NewsSettings;
  scanner: ScannerSettings;
  risk: RiskSettings;
  trading: {
    /** A submit whose answer was lost and that the broker still does not know after this long never arrived. */
    unknownOrderSeconds: number;
    /** Minutes before the close (early closes too) from which entries stop and positions are brought flat. */
    flattenWindowMinutes: number;
    /** Market seconds a working exit may go without a fill before its remainder gets a stop again. */
    exitStallSeconds: number;
  };
  /** Real seconds between workflow schedule ticks (each acts at the market's time). */
  workflowTickSeconds: number;
  /** off, or the risk mode each trading day's cycle is started in at the pre-market scan time. */
  cycleAutostart: AutostartSetting;
  /** Real seconds between the doctor schedule's looks at the market clock (a sweep is due every 5 market minutes). */
  doctorTickSeconds: number;
  /** Broker requests a minute per client (Alpaca allows ~200 per account). */
  brokerRequestsPerMinute: number;
  /** Who may reach /mcp and its OAuth pages (Host and Origin), besides loopback. */
  mcpAccess: AllowedOrigins;
  reporting: {
    /** Real seconds between samples of the day's equity marked to market (while the market is open). */
    equitySampleSeconds: number;
  };
}

export interface AlertSettings {
  /** null → no webhook; alerts go by e-mail only (if SMTP_URL is set). */
  webhookUrl: string | null;
  /** HMAC-SHA256 key of the webhook's signature; set exactly when webhookUrl is. */
  webhookSecret: string | null;
  /** Warnings are gathered this long and sent as one message. */
  batchSeconds: number;
  /** The same event again within this long is not sent again. */
  dedupeMinutes: number;
  /** Messages a minute at most; over it, alerts wait for the next batch (none is dropped). */
  maxPerMinute: number;
  /** A channel that failed is tried again after this long, then after 4× as long each time. */
  retrySeconds: number;
}

export type LogLevel = "debug" | "info" | "warn" | "error";
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** A configuration problem, always naming the variable and what to do about it. */
export class ConfigError extends UserFixableError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = read(env, name);
  if (value === null) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(", ")} (got "${value}")`);
  }
  return value as T;
}

function urlWithScheme(env: Env, name: string, schemes: readonly string[]): string | null {
  const value = read(env, name);
  if (value === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `is not a URL (expected ${schemes[0]}//host:port/...)`);
  }
  if (!schemes.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${schemes.join(" or ")} (got ${parsed.protocol})`);
  }
  return value;
}

const EMAIL_ADDRESS = /^[^\s@,<>"]+@[^\s@,<>"]+$/;

function emailAddresses(env: Env, name: string, many: boolean): string | null {
  const value = read(env, name);
  if (value === null) return null;
  const addresses = value.split(",").map((a) => a.trim());
  const bad = addresses.find((a) => !EMAIL_ADDRESS.test(a));
  if (bad !== undefined) throw new ConfigError(name, `"${bad}" is not an e-mail address (expected name@example.com)`);
  if (!many && addresses.length > 1) throw new ConfigError(name, "must be a single e-mail address");
  return addresses.join(", ");
}

/** SMTP_URL, ALERT_EMAIL_TO and ALERT_EMAIL_FROM: all off, or a server and recipients (From defaults from the URL). */
function mailSettings(env: Env): Pick<Config, "smtpUrl" | "alertEmailTo" | "alertEmailFrom"> {
  const smtpUrl = urlWithScheme(env, "SMTP_URL", ["smtp:", "smtps:"]);
  const to = emailAddresses(env, "ALERT_EMAIL_TO", true);
  const from = emailAddresses(env, "ALERT_EMAIL_FROM", false);
  if (smtpUrl === null) {
    const orphan = to !== null ? "ALERT_EMAIL_TO" : from !== null ? "ALERT_EMAIL_FROM" : null;
    if (orphan) throw new ConfigError(orphan, "is set but SMTP_URL is not: set SMTP_URL (smtp://user:password@host:587) to send escalation e-mail, or unset it");
    return { smtpUrl: null, alertEmailTo: null, alertEmailFrom: null };
  }
  const server = new URL(smtpUrl);
  if (!server.hostname) throw new ConfigError("SMTP_URL", "needs a host (smtp://user:password@host:587)");
  if (to === null) throw new ConfigError("ALERT_EMAIL_TO", "is required when SMTP_URL is set: the address(es) escalations go to");
  // Servers usually accept mail only from the account that logs in, so that is the default sender.
  const user = decodeURIComponent(server.username);
  return { smtpUrl, alertEmailTo: to, alertEmailFrom: from ?? (EMAIL_ADDRESS.test(user) ? user : `catalyst@${server.hostname}`) };
}

/** ALERT_WEBHOOK_URL needs ALERT_WEBHOOK_SECRET: an unsigned alert could be forged by anyone who finds the URL. */
function alertSettings(env: Env): AlertSettings {
  const webhookUrl = urlWithScheme(env, "ALERT_WEBHOOK_URL", ["https:", "http:"]);
  const webhookSecret = read(env, "ALERT_WEBHOOK_SECRET");
  if (webhookUrl !== null && webhookSecret === null) throw new ConfigError("ALERT_WEBHOOK_SECRET", "is required when ALERT_WEBHOOK_URL is set: the key the webhook's body is signed with (e.g. `openssl rand -hex 32`)");
  if (webhookUrl === null && webhookSecret !== null) throw new ConfigError("ALERT_WEBHOOK_SECRET", "is set but ALERT_WEBHOOK_URL is not: set the URL alerts are posted to, or unset it");
  if (webhookSecret !== null && webhookSecret.length < 16) throw new ConfigError("ALERT_WEBHOOK_SECRET", "must be at least 16 characters (e.g. `openssl rand -hex 32`)");
  return {
    webhookUrl,
    webhookSecret,
    batchSeconds: positiveNumber(env, "ALERT_BATCH_SECONDS", 60),
    dedupeMinutes: positiveNumber(env, "ALERT_DEDUPE_MINUTES", 15),
    maxPerMinute: positiveNumber(env, "ALERT_MAX_PER_MINUTE", 10, true),
    retrySeconds: positiveNumber(env, "ALERT_RETRY_SECONDS", 1),
  };
}

function port(env: Env, name: string, fallback: number): number {
  const value = read(env, name);
  if (value === null) return fallback;
  const n = Number(value);
  // The base plus the highest offset must still be a valid TCP port.
  if (!Number.isInteger(n) || n < 1024 || n > 65535 - 9) {
    throw new ConfigError(name, `must be an integer port between 1024 and 65526 (got "${value}")`);
  }
  return n;
}

function selectMode(env: Env, alpaca: AlpacaCredentials | null): Mode {
  const mode = oneOf(env, "CATALYST_MODE", MODES, alpaca ? "paper" : "sim");
  if (mode !== "sim" && !alpaca) {
    throw new ConfigError(
      "CATALYST_MODE",
      `${mode} mode needs ALPACA_KEY_ID and ALPACA_SECRET_KEY; set them, or use CATALYST_MODE=sim`,
    );
  }
  if (mode === "live" && read(env, "CATALYST_ALLOW_LIVE") !== "yes") {
    throw new ConfigError(
      "CATALYST_ALLOW_LIVE",
      "live trading with real money needs CATALYST_ALLOW_LIVE=yes as well as CATALYST_MODE=live",
    );
  }
  return mode;
}

function alpacaCredentials(env: Env): AlpacaCredentials | null {
  const keyId = read(env, "ALPACA_KEY_ID");
  const secretKey = read(env, "ALPACA_SECRET_KEY");
  if (keyId && secretKey) return { keyId, secretKey };
  if (keyId) throw new ConfigError("ALPACA_SECRET_KEY", "is required when ALPACA_KEY_ID is set");
  if (secretKey) throw new ConfigError("ALPACA_KEY_ID", "is required when ALPACA_SECRET_KEY is set");
  return null;
}

function apiKey(env: Env, mode: Mode): string | null {
  const key = read(env, "CATALYST_API_KEY");
  if (key === null) {
    if (mode === "sim") return null;
    throw new ConfigError("CATALYST_API_KEY", `is required in ${mode} mode (use 32+ random characters)`);
  }
  if (key.length < 16) throw new ConfigError("CATALYST_API_KEY", "must be at least 16 characters");
  return key;
}

function positiveNumber(env: Env, name: string, fallback: number, integer = false): number {
  const value = read(env, name);
  if (value === null) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new ConfigError(name, `must be a ${integer ? "whole " : ""}number > 0 (got "${value}")`);
  }
  return n;
}

/**
 * A simulated start: "2026-03-09" (09:00 New York time that day), "2026-03-09T09:25" (New York wall
 * time) or a full RFC 3339 instant with Z or an offset.
 */
export function parseSimStart(text: string): number | null {
  const wall = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?$/.exec(text);
  if (wall) return Number.isNaN(Date.parse(wall[1]!)) ? null : etInstant(wall[1]!, wall[2] ?? "09:00");
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

function venueSettings(env: Env): VenueSettings {
  const startText = read(env, "VENUE_START");
  const start = startText === null ? null : parseSimStart(startText);
  if (startText !== null && start === null) {
    throw new ConfigError("VENUE_START", `must be YYYY-MM-DD, YYYY-MM-DDTHH:MM (New York time) or an RFC 3339 instant (got "${startText}")`);
  }
  const secretKey = read(env, "VENUE_SECRET_KEY");
  const keyId = read(env, "VENUE_KEY_ID");
  if ((keyId === null) !== (secretKey === null)) {
    throw new ConfigError(keyId === null ? "VENUE_KEY_ID" : "VENUE_SECRET_KEY", "set both VENUE_KEY_ID and VENUE_SECRET_KEY, or neither");
  }
  return {
    keyId: keyId ?? "sim",
    secretKey,
    seed: positiveNumber(env, "VENUE_SEED", 1, true),
    speed: positiveNumber(env, "VENUE_SPEED", 1),
    start,
    initialCashUsd: positiveNumber(env, "VENUE_INITIAL_CASH", 100_000),
  };
}

function fraction(env: Env, name: string, fallback: number): number {
  const value = positiveNumber(env, name, fallback);
  if (value > 1) throw new ConfigError(name, `must be in (0, 1] (got "${value}")`);
  return value;
}

function newsSettings(env: Env): NewsSettings {
  const modelsDir = read(env, "CATALYST_MODELS_DIR");
  return {
    modelsDir: modelsDir === null ? null : resolve(modelsDir),
    ingestEveryMinutes: positiveNumber(env, "NEWS_INGEST_MINUTES", 5, true),
    catalystThreshold: fraction(env, "NEWS_CATALYST_THRESHOLD", 0.6),
  };
}

const DEFAULT_SCAN_WEIGHTS: ScanWeights = { catalyst: 0.35, momentum: 0.2, volume: 0.15, technical: 0.15, pattern: 0.15 };

/** "catalyst=0.4,momentum=0.2,…": every component named once; weights ≥ 0, not all zero. */
export function parseScanWeights(text: string): ScanWeights | string {
  const weights: Partial<ScanWeights> = {};
  for (const part of text.split(",")) {
    const [name, value] = part.split("=").map((p) => p.trim());
    if (!name || !(name in DEFAULT_SCAN_WEIGHTS)) return `unknown component "${name ?? ""}" (use ${Object.keys(DEFAULT_SCAN_WEIGHTS).join(", ")})`;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) return `${name} must be a number ≥ 0`;
    weights[name as keyof ScanWeights] = n;
  }
  const missing = Object.keys(DEFAULT_SCAN_WEIGHTS).filter((k) => !(k in weights));
  if (missing.length > 0) return `missing ${missing.join(", ")}`;
  const full = weights as ScanWeights;
  const total = Object.values(full).reduce((a, b) => a + b, 0);
  if (total <= 0) return "at least one weight must be > 0";
  return Object.fromEntries(Object.entries(full).map(([k, v]) => [k, v / total])) as unknown as ScanWeights;
}

function scannerSettings(env: Env): ScannerSettings {
  const weightsText = read(env, "SCAN_WEIGHTS");
  const weights = weightsText === null ? DEFAULT_SCAN_WEIGHTS : parseScanWeights(weightsText);
  if (typeof weights === "string") throw new ConfigError("SCAN_WEIGHTS", weights);
  const priceMinUsd = positiveNumber(env, "SCAN_PRICE_MIN", 2);
  const priceMaxUsd = positiveNumber(env, "SCAN_PRICE_MAX", 500);
  if (priceMaxUsd <= priceMinUsd) throw new ConfigError("SCAN_PRICE_MAX", `must be above SCAN_PRICE_MIN (${priceMinUsd})`);
  return {
    priceMinUsd,
    priceMaxUsd,
    minAvgVolume: positiveNumber(env, "SCAN_MIN_AVG_VOLUME", 300_000, true),
    minGapPct: positiveNumber(env, "SCAN_MIN_GAP_PCT", 2),
    minRelativeVolume: positiveNumber(env, "SCAN_MIN_REL_VOLUME", 2),
    enrichTop: positiveNumber(env, "SCAN_ENRICH_TOP", 40, true),
    weights,
  };
}

function decimalSetting(env: Env, name: string, fallback: string): string {
  const value = read(env, name);
  if (value === null) return fallback;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) throw new ConfigError(name, `must be a positive decimal number (got "${value}")`);
  return value;
}

function percentSetting(env: Env, name: string, fallback: string): string {
  const value = decimalSetting(env, name, fallback);
  if (Number(value) > 100) throw new ConfigError(name, `is a percentage, at most 100 (got "${value}")`);
  return value;
}

function riskSettings(env: Env): RiskSettings {
  return {
    hardBounds: {
      maxOpenPositions: positiveNumber(env, "RISK_MAX_OPEN_POSITIONS", 10, true),
      maxPositionNotional: decimalSetting(env, "RISK_MAX_POSITION_NOTIONAL", "25000"),
      maxPositionPctEquity: percentSetting(env, "RISK_MAX_POSITION_PCT_EQUITY", "25"),
      maxDailyLoss: decimalSetting(env, "RISK_MAX_DAILY_LOSS", "5000"),
      dailyLossWarnPct: percentSetting(env, "RISK_MAX_DAILY_LOSS_WARN_PCT", "90"),
      maxSectorExposurePct: percentSetting(env, "RISK_MAX_SECTOR_EXPOSURE_PCT", "60"),
      minRewardRisk: decimalSetting(env, "RISK_MIN_REWARD_RISK_FLOOR", "1"),
      maxTradesPerDay: positiveNumber(env, "RISK_MAX_TRADES_PER_DAY", 50, true),
      riskPerTradePct: percentSetting(env, "RISK_MAX_RISK_PER_TRADE_PCT", "2"),
    },
    priceBandPct: positiveNumber(env, "RISK_PRICE_BAND_PCT", 2),
    monitorSeconds: positiveNumber(env, "RISK_MONITOR_SECONDS", 15),
    exitParticipationPct: percentSetting(env, "RISK_EXIT_PARTICIPATION_PCT", DEFAULT_EXIT_PARTICIPATION_PCT),
    // 60 s: in the regular session a listed stock is quoted many times a minute; a quote a minute
    // old means a halt (an LULD pause lasts 5 minutes), a closed market or a symbol too thin for a
    // market order. Alpaca's IEX feed quotes liquid names well inside that.
    maxQuoteAgeSeconds: positiveNumber(env, "RISK_MAX_QUOTE_AGE_SECONDS", 60),
    // 100: a position no stop protects could lose all of it; set lower to accept a smaller worst case.
    unprotectedLossPct: percentSetting(env, "RISK_UNPROTECTED_LOSS_PCT", "100"),
  };
}

const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function hostnames(env: Env, name: string): string[] {
  const names = (read(env, name) ?? "").split(",").map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
  const bad = names.find((h) => !HOSTNAME.test(h));
  if (bad !== undefined) throw new ConfigError(name, `"${bad}" is not a DNS name (expected e.g. catalyst.example.com, no scheme or port)`);
  return names;
}

/** CATALYST_DOMAIN (the name Caddy serves, as in caddy.env), MCP_ALLOWED_HOSTS, MCP_ALLOWED_ORIGINS. */
function mcpAccess(env: Env): AllowedOrigins {
  const domain = hostnames(env, "CATALYST_DOMAIN");
  if (domain.length > 1) throw new ConfigError("CATALYST_DOMAIN", "must be a single DNS name");
  const origins = (read(env, "MCP_ALLOWED_ORIGINS") ?? "").split(",").map((o) => o.trim()).filter((o) => o !== "");
  for (const origin of origins) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (parsed === null || parsed.origin !== origin) throw new ConfigError("MCP_ALLOWED_ORIGINS", `"${origin}" is not an origin (expected scheme://host[:port], e.g. https://claude.ai)`);
  }
  return { domain: domain[0] ?? null, hosts: hostnames(env, "MCP_ALLOWED_HOSTS"), origins };
}

export function loadConfig(env: Env = process.env): Config {
  const alpaca = alpacaCredentials(env);
  const mode = selectMode(env, alpaca);
  const portBase = port(env, "CATALYST_PORT_BASE", 5000);
  const serviceUrls = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const variable = `CATALYST_URL_${name.toUpperCase()}`;
      const url = urlWithScheme(env, variable, ["http:", "https:"]);
      return [name, url ?? `http://127.0.0.1:${portBase + SERVICE_PORT_OFFSETS[name]}`];
    }),
  ) as Record<ServiceName, string>;
  const namespace = read(env, "CATALYST_BUS_NAMESPACE") ?? "catalyst";
  if (!/^[a-z0-9_-]{1,32}$/.test(namespace)) {
    throw new ConfigError("CATALYST_BUS_NAMESPACE", "must be 1-32 characters of a-z, 0-9, _ or -");
  }
  return {
    mode,
    apiKey: apiKey(env, mode),
    dataDir: resolve(read(env, "CATALYST_DATA_DIR") ?? join(read(env, "HOME") ?? homedir(), ".catalyst")),
    databaseUrl: urlWithScheme(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
    databaseTimeouts: {
      statementTimeoutMs: positiveNumber(env, "DB_STATEMENT_TIMEOUT_MS", DEFAULT_DATABASE_TIMEOUTS.statementTimeoutMs, true),
      lockTimeoutMs: positiveNumber(env, "DB_LOCK_TIMEOUT_MS", DEFAULT_DATABASE_TIMEOUTS.lockTimeoutMs, true),
      idleInTransactionTimeoutMs: positiveNumber(env, "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", DEFAULT_DATABASE_TIMEOUTS.idleInTransactionTimeoutMs, true),
    },
    redisUrl: urlWithScheme(env, "REDIS_URL", ["redis:", "rediss:"]),
    busNamespace: namespace,
    alpaca,
    bindHost: read(env, "CATALYST_BIND_HOST") ?? "127.0.0.1",
    portBase,
    serviceUrls,
    ...mailSettings(env),
    alerts: alertSettings(env),
    logLevel: oneOf(env, "CATALYST_LOG_LEVEL", LOG_LEVELS, "info"),
    venue: venueSettings(env),
    news: newsSettings(env),
    scanner: scannerSettings(env),
    risk: riskSettings(env),
    trading: {
      unknownOrderSeconds: positiveNumber(env, "TRADING_UNKNOWN_ORDER_SECONDS", 30),
      flattenWindowMinutes: positiveNumber(env, "TRADING_FLATTEN_MINUTES", DEFAULT_FLATTEN_WINDOW_MINUTES),
      exitStallSeconds: positiveNumber(env, "TRADING_EXIT_STALL_SECONDS", DEFAULT_EXIT_STALL_MS / 1000),
    },
    workflowTickSeconds: positiveNumber(env, "WORKFLOW_TICK_SECONDS", 5),
    cycleAutostart: oneOf(env, "CYCLE_AUTOSTART", AUTOSTART_SETTINGS, "off"),
    doctorTickSeconds: positiveNumber(env, "DOCTOR_TICK_SECONDS", 30),
    brokerRequestsPerMinute: positiveNumber(env, "BROKER_REQUESTS_PER_MINUTE", 200, true),
    mcpAccess: mcpAccess(env),
    reporting: { equitySampleSeconds: positiveNumber(env, "REPORTING_EQUITY_SAMPLE_SECONDS", 60) },
  };
}

export function servicePort(config: Config, service: ServiceName): number {
  return config.portBase + SERVICE_PORT_OFFSETS[service];
}
