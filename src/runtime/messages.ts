/** Messages between the supervisor (main thread) and a service worker. */
import type { HubEvent, HubRequest } from "../adapters/bus/in-process.ts";
import type { Config } from "../config.ts";
import type { ServiceName } from "./services.ts";

export interface WorkerInit {
  type: "init";
  service: ServiceName;
  config: Config;
  apiKey: string;
  databaseUrl: string;
  /** Connections this worker may open; the embedded database wants few. */
  poolSize: number;
}

export type ToWorker = WorkerInit | { type: "shutdown" } | HubEvent;

export type FromWorker =
  | { type: "ready"; service: ServiceName; port: number }
  | { type: "fatal"; service: ServiceName; code: "port_in_use" | "start_failed"; message: string }
  | { type: "stopped"; service: ServiceName }
  | HubRequest;
