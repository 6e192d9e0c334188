import type { Sql } from "postgres";
import type { Bus } from "../adapters/bus/bus.ts";
import type { Config } from "../config.ts";
import type { ServiceClient } from "./client.ts";
import type { Logger } from "./log.ts";
import type { ServiceName } from "./services.ts";

/** Everything a service's routes may use: its adapters, never another service's tables. */
export interface ServiceContext {
  service: ServiceName;
  config: Config;
  apiKey: string;
  sql: Sql;
  bus: Bus;
  log: Logger;
  client: ServiceClient;
  startedAt: number;
}
