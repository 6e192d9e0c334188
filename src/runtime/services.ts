/** The service registry: names ↔ port offsets from the port base (5000 by default). */
export const SERVICE_PORT_OFFSETS = {
  orchestration: 0,
  scanner: 1,
  pattern: 2,
  technical: 3,
  risk: 4,
  trading: 5,
  workflow: 6,
  venue: 7,
  news: 8,
  reporting: 9,
} as const;

export type ServiceName = keyof typeof SERVICE_PORT_OFFSETS;

export const SERVICE_NAMES = Object.keys(SERVICE_PORT_OFFSETS) as ServiceName[];

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(SERVICE_PORT_OFFSETS, name);
}

/** Services `catalyst serve` runs by default: the simulated venue only in sim mode. */
export function defaultServices(mode: "sim" | "paper" | "live"): ServiceName[] {
  return SERVICE_NAMES.filter((name) => name !== "venue" || mode === "sim");
}
