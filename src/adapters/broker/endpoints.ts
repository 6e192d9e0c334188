/** Where the broker is and how to sign in, by mode: the simulated venue, Alpaca paper, or Alpaca live. */
import { marketData, streaming, trading } from "@alpacahq/alpaca-trade-api";
import type { Config } from "../../config.ts";

export interface BrokerEndpoints {
  tradingBaseUrl: string;
  dataBaseUrl: string;
  streamUrl: string;
  keyId: string;
  secret: string;
}

/**
 * `apiKey` is Catalyst's resolved API key, the venue's secret unless VENUE_SECRET_KEY is set
 * (in sim mode the key may be generated at start, so Config alone does not have it).
 */
export function brokerEndpoints(config: Config, apiKey: string): BrokerEndpoints {
  if (config.mode === "sim") {
    // The venue serves trading, market data and the trade_updates stream on one port.
    const venue = config.serviceUrls.venue.replace(/\/+$/, "");
    return {
      tradingBaseUrl: venue,
      dataBaseUrl: venue,
      streamUrl: `${venue.replace(/^http/, "ws")}/stream`,
      keyId: config.venue.keyId,
      secret: config.venue.secretKey ?? apiKey,
    };
  }
  // loadConfig refuses paper and live without keys; this guards a hand-built Config.
  if (!config.alpaca) throw new Error(`${config.mode} mode needs Alpaca keys (ALPACA_KEY_ID, ALPACA_SECRET_KEY)`);
  const live = config.mode === "live";
  return {
    tradingBaseUrl: live ? trading.TRADING_LIVE_HOST : trading.TRADING_PAPER_HOST,
    dataBaseUrl: marketData.MARKET_DATA_HOST,
    streamUrl: live ? streaming.TRADING_STREAM_LIVE : streaming.TRADING_STREAM_PAPER,
    keyId: config.alpaca.keyId,
    secret: config.alpaca.secretKey,
  };
}
