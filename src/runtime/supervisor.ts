/**
 * The supervisor on the main thread: one Worker per service, restarted with back-off when it dies,
 * and a graceful stop (stop accepting, drain, close pools) on request.
 */
import { mkdirSync } from "node:fs";
import { InProcessBusHub, type HubRequest } from "../adapters/bus/in-process.ts";
import { servicePort, type Config } from "../config.ts";
import { resolveApiKey, type ResolvedApiKey } from "./api-key.ts";
import { openApplianceDatabase, type ApplianceDatabase } from "./database.ts";
import { StartupError } from "./errors.ts";
import { createLogger } from "./log.ts";
import { logMemoryAtDebug } from "./memory-log.ts";
import type { FromWorker, ToWorker } from "./messages.ts";
import { defaultServices, type ServiceName } from "./services.ts";

const FIRST_RESTART_DELAY_MS = 250;
const MAX_RESTART_DELAY_MS = 30_000;
/** A worker that stayed up this long is healthy again: its back-off starts over. */
const STABLE_AFTER_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

interface Slot {
  service: ServiceName;
  worker: Worker | null;
  startedAt: number;
  restarts: number;
  consecutiveFailures: number;
  restartTimer: Timer | null;
  ready: PromiseWithResolvers<void> | null;
  stopped: PromiseWithResolvers<void> | null;
}

export interface Appliance {
  apiKey: ResolvedApiKey;
  database: ApplianceDatabase;
  services: ServiceName[];
  /** How many times a service's worker was restarted after dying. */
  restarts(service: ServiceName): number;
  /** Kills a worker abruptly, as a crash would (used to prove the restart path). */
  terminateWorker(service: ServiceName): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  only?: ServiceName[];
}

function workerUrl(): string {
  return new URL("./worker.ts", import.meta.url).href;
}

export async function startAppliance(config: Config, options: StartOptions = {}): Promise<Appliance> {
  const log = createLogger("supervisor", config.logLevel);
  if (options.only?.includes("venue") && config.mode !== "sim") {
    throw new StartupError(`the simulated venue runs only in sim mode (this is ${config.mode}); drop venue from --only`);
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const apiKey = resolveApiKey(config);
  // Workers load their code while the database opens and migrates; they get their init after that.
  const startedAt = performance.now();
  const databaseReady = openApplianceDatabase(config);
  databaseReady.then(
    (db) => log.info("database ready", { embedded: db.embedded, ms: Math.round(performance.now() - startedAt) }),
    () => undefined,
  );
  const services = options.only ?? defaultServices(config.mode);
  // On Redis the hub carries only what workers could not publish there, to the alerts notifier.
  const hub = new InProcessBusHub();
  // Once per installation, beside the service that writes orders (like the doctor); before the workers, to hear them from the start.
  const alerts = services.includes("trading") ? await (await import("../services/alerts/in-serve.ts")).startAlerts(config, hub, apiKey.key) : null;
  const slots = new Map<ServiceName, Slot>();
  let stopping = false;

  const spawn = (slot: Slot) => {
    const worker = new Worker(workerUrl(), { smol: true } as WorkerOptions);
    slot.worker = worker;
    slot.startedAt = Date.now();
    const post = (message: ToWorker) => worker.postMessage(message);
    const detachHub = config.redisUrl ? undefined : hub.attach(post);
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if ("bus" in message) {
        hub.handle(message as HubRequest);
        return;
      }
      switch (message.type) {
        case "ready":
          slot.consecutiveFailures = 0;
          slot.ready?.resolve();
          return;
        case "fatal": {
          const text =
            message.code === "port_in_use"
              ? `port ${servicePort(config, slot.service)} (${slot.service}) is already in use: stop what holds it, or set CATALYST_PORT_BASE`
              : `${slot.service} failed to start: ${message.message}`;
          slot.ready?.reject(new StartupError(text));
          log.error("service failed to start", { service: slot.service, code: message.code, detail: message.message });
          worker.terminate();
          return;
        }
        case "stopped":
          slot.stopped?.resolve();
          return;
      }
    };
    worker.addEventListener("error", (event) => {
      log.error("service worker crashed", { service: slot.service, error: (event as ErrorEvent).message });
    });
    worker.addEventListener("close", () => {
      detachHub?.();
      if (slot.worker === worker) slot.worker = null;
      slot.stopped?.resolve();
      if (stopping) return;
      // Dying before the first "ready" fails the start (a no-op if "fatal" already rejected it).
      if (slot.ready) slot.ready.reject(new StartupError(`${slot.service} exited during start-up; see the log above`));
      else scheduleRestart(slot);
    });
    databaseReady.then(
      (database) => {
        if (slot.worker !== worker) return;
        const poolSize = database.embedded ? 3 : 5;
        post({ type: "init", service: slot.service, config, apiKey: apiKey.key, databaseUrl: database.url, poolSize });
      },
      () => undefined, // reported by the await below
    );
  };

  const scheduleRestart = (slot: Slot) => {
    if (Date.now() - slot.startedAt > STABLE_AFTER_MS) slot.consecutiveFailures = 0;
    const delay = Math.min(FIRST_RESTART_DELAY_MS * 2 ** slot.consecutiveFailures, MAX_RESTART_DELAY_MS);
    slot.consecutiveFailures++;
    log.warn("restarting service", { service: slot.service, inMs: delay, attempt: slot.consecutiveFailures });
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (stopping) return;
      slot.restarts++;
      spawn(slot);
    }, delay);
  };

  let doctor: { stop(): Promise<void> } | null = null;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await doctor?.stop();
    await Promise.all(
      [...slots.values()].map(async (slot) => {
        if (slot.restartTimer) clearTimeout(slot.restartTimer);
        const worker = slot.worker;
        if (!worker) return;
        slot.stopped = Promise.withResolvers();
        worker.postMessage({ type: "shutdown" } satisfies ToWorker);
        const timedOut = await Promise.race([slot.stopped.promise.then(() => false), Bun.sleep(STOP_TIMEOUT_MS).then(() => true)]);
        if (timedOut) log.warn("service did not stop in time; terminating it", { service: slot.service });
        worker.terminate();
      }),
    );
    await alerts?.stop();
    await databaseReady.then((database) => database.close(), () => undefined);
  };

  for (const service of services) {
    const slot: Slot = {
      service,
      worker: null,
      startedAt: 0,
      restarts: 0,
      consecutiveFailures: 0,
      restartTimer: null,
      ready: Promise.withResolvers(),
      stopped: null,
    };
    slots.set(service, slot);
    spawn(slot);
  }
  let database: ApplianceDatabase;
  try {
    database = await databaseReady;
    await Promise.all([...slots.values()].map((slot) => slot.ready!.promise));
  } catch (error) {
    await stop();
    throw error;
  }
  for (const slot of slots.values()) slot.ready = null;
  log.info("all services ready", { services: services.length, ms: Math.round(performance.now() - startedAt) });
  logMemoryAtDebug(log, config.logLevel, () => ({ embeddedDbWasmMb: Math.round(database.embeddedMemoryBytes() / 1024 / 1024) }));
  alerts?.startSummary(database);
  // The doctor runs beside the service that writes orders (one per installation, also with --only).
  if (services.includes("trading")) doctor = await (await import("../doctor/in-serve.ts")).startDoctor(config, database, apiKey.key, alerts?.doctorBus ?? null);

  return {
    apiKey,
    database,
    services,
    restarts: (service) => slots.get(service)?.restarts ?? 0,
    terminateWorker: (service) => slots.get(service)?.worker?.terminate(),
    stop,
  };
}
