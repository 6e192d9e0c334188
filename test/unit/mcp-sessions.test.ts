/**
 * The /mcp endpoint's sessions, served by Bun on a local port to the SDK's Streamable HTTP client:
 * a session listening on its GET SSE stream survives the idle sweep and keeps receiving; one that
 * only initialized and went quiet is closed; a client gone without a DELETE is idle once its stream
 * ends; every closed session leaves the live feed.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { InProcessBusHub } from "../../src/adapters/bus/in-process.ts";
import { loadConfig } from "../../src/config.ts";
import { ServiceClient } from "../../src/runtime/client.ts";
import { createLogger } from "../../src/runtime/log.ts";
import { createMcpDeps } from "../../src/services/orchestration/mcp/deps.ts";
import { createMcpEndpoint } from "../../src/services/orchestration/mcp/http.ts";
import { createLiveFeed } from "../../src/services/orchestration/mcp/live.ts";

const HOURS_LATER = Date.now() + 3 * 3600_000;

describe("MCP sessions with live streams", () => {
  const log = createLogger("test", "error");
  const hub = new InProcessBusHub();
  const publisher = hub.connectLocal("risk");
  const feed = createLiveFeed(hub.connectLocal("orchestration"), log);
  const endpoint = createMcpEndpoint(createMcpDeps(ServiceClient.fromConfig(loadConfig({}), "unused-key-0123456789"), "sim"), log, feed);
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (request) => endpoint.handle(request) });
  const url = new URL(`http://127.0.0.1:${server.port}/mcp`);

  afterAll(async () => {
    await endpoint.stop();
    await server.stop(true);
  });

  test("listening is not idle; quiet without a stream is; gone without a DELETE is idle once its stream ends", async () => {
    const streaming = Promise.withResolvers<void>();
    const watching = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await fetch(input, init);
      if (init?.method === "GET" && response.headers.get("content-type")?.includes("text/event-stream")) streaming.resolve();
      return response;
    }) as typeof fetch;
    const client = new Client({ name: "listener", version: "1" });
    const messages: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void messages.push((n.params.data as { kind: string }).kind));
    await client.connect(new StreamableHTTPClientTransport(url, { fetch: watching }));
    // Bun sends the stream's headers with its first bytes: the keep-alive comment, within 5 s.
    await streaming.promise;

    // A second session that initialized and never opened its stream.
    const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "quiet", version: "1" } } };
    const quiet = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify(initialize) });
    expect(quiet.status).toBe(200);
    expect(endpoint.sessions()).toBe(2);
    expect(feed.receivers()).toBe(2);

    await endpoint.closeIdle(HOURS_LATER);
    expect(endpoint.sessions()).toBe(1);
    expect(feed.receivers()).toBe(1);

    // The listener still hears the bus after the sweep.
    await publisher.publish("risk_alert", { level: "critical", kind: "daily_loss_halt", message: "halt" });
    for (let i = 0; i < 300 && messages.length === 0; i++) await Bun.sleep(10);
    expect(messages).toEqual(["daily_loss_halt"]);

    // Gone without a DELETE: once its stream has ended, the session is idle like any other.
    await client.close();
    for (let i = 0; i < 300 && endpoint.sessions() > 0; i++) {
      await endpoint.closeIdle(HOURS_LATER);
      await Bun.sleep(10);
    }
    expect(endpoint.sessions()).toBe(0);
    expect(feed.receivers()).toBe(0);
  }, 30_000);
});
