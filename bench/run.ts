/**
 * `bun run bench`: every benchmark, one after the other, each printing its figures. Nothing is
 * asserted here — this machine is shared and noisy; targets are printed beside the medians.
 */
export {};

await import("./appliance.ts");
await import("./venue.ts");
await import("./technical.ts");
await import("./news.ts");
await import("./scanner.ts");
await import("./orders.ts");
await import("./mcp.ts");
await import("./mcp-auth.ts");
await import("./doctor.ts");
await import("./alerts.ts");
await import("./cockpit.ts");
await import("./memory.ts");
