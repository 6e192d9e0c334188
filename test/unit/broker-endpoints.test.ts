import { describe, expect, test } from "bun:test";
import { brokerEndpoints } from "../../src/adapters/broker/endpoints.ts";
import { loadConfig } from "../../src/config.ts";

const keys = { ALPACA_KEY_ID: "AKTEST", ALPACA_SECRET_KEY: "secret", CATALYST_API_KEY: "0123456789abcdef0123" };

describe("broker endpoints by mode", () => {
  test("sim: the venue on the port base + 7 for trading, data and stream, signed with the Catalyst key", () => {
    const config = loadConfig({ HOME: "/home/trader", CATALYST_PORT_BASE: "6000" });
    expect(brokerEndpoints(config, "generated-api-key-0123")).toEqual({
      tradingBaseUrl: "http://127.0.0.1:6007",
      dataBaseUrl: "http://127.0.0.1:6007",
      streamUrl: "ws://127.0.0.1:6007/stream",
      keyId: "sim",
      secret: "generated-api-key-0123",
    });
  });

  test("sim with venue credentials and a venue elsewhere", () => {
    const config = loadConfig({
      HOME: "/home/trader",
      VENUE_KEY_ID: "venue-key",
      VENUE_SECRET_KEY: "venue-secret",
      CATALYST_URL_VENUE: "https://venue.internal:8443/",
    });
    expect(brokerEndpoints(config, "generated-api-key-0123")).toEqual({
      tradingBaseUrl: "https://venue.internal:8443",
      dataBaseUrl: "https://venue.internal:8443",
      streamUrl: "wss://venue.internal:8443/stream",
      keyId: "venue-key",
      secret: "venue-secret",
    });
  });

  test("paper: Alpaca paper and Alpaca data with the Alpaca keys", () => {
    expect(brokerEndpoints(loadConfig(keys), "unused")).toEqual({
      tradingBaseUrl: "https://paper-api.alpaca.markets",
      dataBaseUrl: "https://data.alpaca.markets",
      streamUrl: "wss://paper-api.alpaca.markets/stream",
      keyId: "AKTEST",
      secret: "secret",
    });
  });

  test("live: the live hosts", () => {
    const endpoints = brokerEndpoints(loadConfig({ ...keys, CATALYST_MODE: "live", CATALYST_ALLOW_LIVE: "yes" }), "unused");
    expect(endpoints.tradingBaseUrl).toBe("https://api.alpaca.markets");
    expect(endpoints.streamUrl).toBe("wss://api.alpaca.markets/stream");
  });
});
