/**
 * The appliance's health from its services' reports. down: the broker is unreachable (nothing
 * can be entered, exited or reconciled, whatever else answers) or no service is up; degraded:
 * some service is unreachable or reports itself degraded or down; ok: every service is ok.
 */
import type { systemHealthRoute } from "../../contracts/health.ts";
import type { RouteOutput } from "../../contracts/route.ts";

type SystemHealth = RouteOutput<typeof systemHealthRoute>;
type ServiceHealth = SystemHealth["services"][number];

export function summarizeHealth(services: ServiceHealth[]): Pick<SystemHealth, "status" | "problems"> {
  const problems: string[] = [];
  // The same failing dependency usually fails for every service: one line naming them all.
  const failing = new Map<string, string[]>();
  for (const service of services) {
    if (!("checks" in service)) {
      problems.push(`${service.service} is unreachable: ${service.detail}`);
      continue;
    }
    for (const [name, check] of Object.entries(service.checks)) {
      if (check.ok) continue;
      const line = `${name}: ${check.detail ?? "not ok"}`;
      failing.set(line, [...(failing.get(line) ?? []), service.service]);
    }
  }
  for (const [line, names] of failing) problems.push(`${line} (${names.join(", ")})`);

  const brokerDown = services.some((s) => "checks" in s && s.checks.broker?.ok === false);
  const anyUp = services.some((s) => s.status === "ok" || s.status === "degraded");
  const status = services.every((s) => s.status === "ok") ? "ok" : brokerDown || !anyUp ? "down" : "degraded";
  return { status, problems };
}
