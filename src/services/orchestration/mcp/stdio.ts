/**
 * `catalyst mcp --stdio`: the same MCP server for a Claude Desktop on this machine, over stdin and
 * stdout, talking to the running appliance's services with the appliance's API key. Stdout carries
 * only the protocol. With Redis it is live too (subscriptions, log messages): the in-process bus
 * lives inside `catalyst serve`, out of this process's reach.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Bus } from "../../../adapters/bus/bus.ts";
import type { Config } from "../../../config.ts";
import { resolveApiKey } from "../../../runtime/api-key.ts";
import { ServiceClient } from "../../../runtime/client.ts";
import { createLogger, type Logger } from "../../../runtime/log.ts";
import { createMcpDeps } from "./deps.ts";
import { createLiveFeed } from "./live.ts";
import { createMcpServer } from "./server.ts";

export async function serveMcpOverStdio(config: Config): Promise<void> {
  const { key } = resolveApiKey(config);
  const log = createLogger("mcp-stdio", config.logLevel);
  const bus = config.redisUrl ? await connectRedis(config, config.redisUrl, log) : null;
  const feed = bus ? createLiveFeed(bus, log) : null;
  const server = createMcpServer(createMcpDeps(ServiceClient.fromConfig(config, key), config.mode), { live: feed !== null });
  const live = feed?.attach(server);
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  await server.connect(new StdioServerTransport());
  live?.start(undefined);
  process.stdin.once("end", () => void server.close());
  await closed;
  feed?.stop();
  await bus?.close();
}

async function connectRedis(config: Config, url: string, log: Logger): Promise<Bus> {
  const { RedisBus } = await import("../../../adapters/bus/redis.ts");
  const bus = new RedisBus(url, config.busNamespace, "mcp-stdio");
  if (!(await bus.connect())) log.warn("redis unreachable; live notifications start when it returns");
  return bus;
}
