/**
 * The Broker on Alpaca's official SDK (its generated API classes). The base URLs decide where it
 * goes: Alpaca paper or live, or the simulated venue, which answers on Alpaca's paths.
 */
import { DEFAULT_RATE_LIMIT, marketData, trading } from "@alpacahq/alpaca-trade-api";
import { VERSION } from "../../version.ts";
import type { LookupPolicy } from "./alpaca-submit.ts";
import { alpacaMarketData } from "./alpaca-market-data.ts";
import { streamAlpacaTradeUpdates } from "./alpaca-stream.ts";
import { alpacaTrading } from "./alpaca-trading.ts";
import type { Broker } from "./broker.ts";

export interface AlpacaBrokerOptions {
  tradingBaseUrl: string;
  dataBaseUrl: string;
  streamUrl: string;
  keyId: string;
  secret: string;
  /** Who calls ("trading", "doctor"): the User-Agent `catalyst-<callerName>/<version>` lets the venue's audit tell callers apart. */
  callerName: string;
  /** Deadline of each HTTP attempt, and of the stream's first subscription (default 10 s). */
  timeoutMs?: number;
  /** How a submit whose answer was lost is resolved (default 3 lookups, 250 ms then doubling). */
  submitLookup?: LookupPolicy;
  /** How reads (GET) are retried (default READ_RETRY: 3 retries, 250 ms then doubling); tests that answer every request with an error shorten the waits. */
  readRetry?: trading.RetryConfig;
  /** Requests a minute this client may send (default Alpaca's ~200; the bucket keeps bursts under it). */
  requestsPerMinute?: number;
  /** The HTTP transport; unit tests put a double here. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

export interface AlpacaApis {
  account: trading.AccountsApi;
  clock: trading.ClockApi;
  calendar: trading.CalendarApi;
  assets: trading.AssetsApi;
  orders: trading.OrdersApi;
  positions: trading.PositionsApi;
  activities: trading.AccountActivitiesApi;
  stocks: marketData.StockApi;
  screener: marketData.ScreenerApi;
  news: marketData.NewsApi;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_SUBMIT_LOOKUP: LookupPolicy = { attempts: 3, waitMs: 250 };

/**
 * Reads (GET) are retried on 408/425/429/5xx and network errors, honouring Retry-After (else
 * X-RateLimit-Reset). The SDK never retries POST/PATCH/DELETE, whatever this says: an order
 * request is sent once.
 */
const READ_RETRY: trading.RetryConfig = { maxRetries: 3, retryDelayMs: 250, maxDelayMs: 5_000, respectRetryAfter: true };

function createAlpacaApis(options: AlpacaBrokerOptions, timeoutMs: number): AlpacaApis {
  const shared = {
    keyId: options.keyId,
    secret: options.secret,
    timeoutMs,
    retry: options.readRetry ?? READ_RETRY,
    // Alpaca allows ~200 requests a minute per account; the bucket keeps a burst under it.
    rateLimit: options.requestsPerMinute ? { ...DEFAULT_RATE_LIMIT, maxRequests: options.requestsPerMinute } : DEFAULT_RATE_LIMIT,
    userAgent: `catalyst-${options.callerName}/${VERSION}`,
    fetchApi: options.fetch,
  };
  const tradingConfig = new trading.Configuration({ ...shared, basePath: options.tradingBaseUrl });
  const dataConfig = new marketData.Configuration({ ...shared, basePath: options.dataBaseUrl });
  return {
    account: new trading.AccountsApi(tradingConfig),
    clock: new trading.ClockApi(tradingConfig),
    calendar: new trading.CalendarApi(tradingConfig),
    assets: new trading.AssetsApi(tradingConfig),
    orders: new trading.OrdersApi(tradingConfig),
    positions: new trading.PositionsApi(tradingConfig),
    activities: new trading.AccountActivitiesApi(tradingConfig),
    stocks: new marketData.StockApi(dataConfig),
    screener: new marketData.ScreenerApi(dataConfig),
    news: new marketData.NewsApi(dataConfig),
  };
}

export function createAlpacaBroker(options: AlpacaBrokerOptions): Broker {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const apis = createAlpacaApis(options, timeoutMs);
  return {
    ...alpacaTrading(apis, { timeoutMs, submitLookup: options.submitLookup ?? DEFAULT_SUBMIT_LOOKUP }),
    ...alpacaMarketData(apis),
    streamTradeUpdates: (onUpdate, onState) => {
      const { streamUrl: url, keyId, secret } = options;
      return streamAlpacaTradeUpdates({ url, keyId, secret, readyTimeoutMs: timeoutMs }, onUpdate, onState);
    },
  };
}
