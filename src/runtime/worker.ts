/** A service worker: builds one service's app from the init message and serves it until told to stop. */
import type { Sql } from "postgres";
import type { Bus } from "../adapters/bus/bus.ts";
import { InProcessBus } from "../adapters/bus/in-process.ts";
import { connectDatabase } from "../adapters/db/client.ts";
import { servicePort } from "../config.ts";
import { loadServiceApp } from "../services/index.ts";
import { ServiceClient } from "./client.ts";
import type { ServiceContext } from "./context.ts";
import { createLogger } from "./log.ts";
import { logMemoryAtDebug } from "./memory-log.ts";
import type { FromWorker, ToWorker, WorkerInit } from "./messages.ts";

declare const self: Worker;

const send = (message: FromWorker) => self.postMessage(message);

let running: { stop(): Promise<void> } | null = null;
/** Set as soon as it exists: messages may arrive while the service is still starting. */
let inProcessBus: InProcessBus | null = null;

async function start(init: WorkerInit): Promise<void> {
  const { service, config } = init;
  const log = createLogger(service, config.logLevel);
  const sql: Sql = connectDatabase(init.databaseUrl, { max: init.poolSize, application: `catalyst-${service}`, timeouts: config.databaseTimeouts });
  let bus: Bus;
  if (config.redisUrl) {
    // ioredis is loaded only where Redis is configured: a few MB in each of ten workers otherwise.
    const { RedisBus } = await import("../adapters/bus/redis.ts");
    // A message Redis could not take goes to the main thread, where the alerts notifier hears it.
    const redis = new RedisBus(config.redisUrl, config.busNamespace, service, (message) => send({ bus: "publish", message }));
    if (!(await redis.connect())) log.warn("redis unreachable; running degraded until it returns", { bus: redis.health().detail });
    bus = redis;
  } else {
    bus = inProcessBus = new InProcessBus(service, send);
  }
  const ctx: ServiceContext = {
    service,
    config,
    apiKey: init.apiKey,
    sql,
    bus,
    log,
    client: ServiceClient.fromConfig(config, init.apiKey),
    startedAt: Date.now(),
  };
  const port = servicePort(config, service);
  const app = (await loadServiceApp(service))(ctx);
  try {
    // Elysia defaults to SO_REUSEPORT, which would let a second appliance silently share our ports.
    app.listen({ port, hostname: config.bindHost, reusePort: false, development: false });
  } catch (error) {
    const inUse = (error as { code?: string }).code === "EADDRINUSE";
    send({ type: "fatal", service, code: inUse ? "port_in_use" : "start_failed", message: (error as Error).message });
    await Promise.allSettled([sql.end({ timeout: 1 }), bus.close()]);
    return;
  }
  running = {
    async stop() {
      // Stop accepting, let in-flight requests finish, then close the pools.
      await app.stop(false);
      await Promise.allSettled([sql.end({ timeout: 5 }), bus.close()]);
    },
  };
  log.info("listening", { port, host: config.bindHost });
  logMemoryAtDebug(log, config.logLevel);
  send({ type: "ready", service, port });
}

let serviceName: WorkerInit["service"] | null = null;

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if ("bus" in message) {
    inProcessBus?.receive(message);
    return;
  }
  switch (message.type) {
    case "init":
      serviceName = message.service;
      start(message).catch((error: Error) => {
        send({ type: "fatal", service: message.service, code: "start_failed", message: error.message });
      });
      return;
    case "shutdown":
      (running?.stop() ?? Promise.resolve()).finally(() => {
        if (serviceName) send({ type: "stopped", service: serviceName });
      });
      return;
  }
};
