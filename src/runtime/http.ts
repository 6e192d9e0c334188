/** The base every service's Elysia app starts from: key guard, error bodies, health, OpenAPI. */
import { openapi } from "@elysiajs/openapi";
import type { TObject } from "@sinclair/typebox";
import { Elysia, ValidationError } from "elysia";
import { checkDatabase } from "../adapters/db/client.ts";
import { healthRoute } from "../contracts/health.ts";
import type { RouteContract, RouteHandlerInput, RouteOutput } from "../contracts/route.ts";
import { VERSION } from "../version.ts";
import { keyMatches, presentedKey } from "./auth.ts";
import { serviceBroker } from "./broker.ts";
import { createBrokerProbe, type BrokerProbe } from "./broker-probe.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError, errorBody, errorResponse } from "./errors.ts";

type HealthReport = RouteOutput<typeof healthRoute>;

/** One broker probe per service (a worker has one context), created on the first /health. */
const brokerProbes = new WeakMap<ServiceContext, BrokerProbe>();

function brokerProbeOf(ctx: ServiceContext): BrokerProbe {
  let probe = brokerProbes.get(ctx);
  if (!probe) brokerProbes.set(ctx, (probe = createBrokerProbe(serviceBroker(ctx), ctx.config.mode)));
  return probe;
}

/** down: the database does not answer (nothing works); degraded: it does, but the broker or the bus (Redis) does not; ok: all answer. */
export async function healthReport(ctx: ServiceContext): Promise<HealthReport> {
  const [database, bus, broker] = await Promise.all([checkDatabase(ctx.sql), ctx.bus.check(), brokerProbeOf(ctx).check()]);
  return {
    service: ctx.service,
    status: !database.ok ? "down" : bus.ok && broker.ok ? "ok" : "degraded",
    mode: ctx.config.mode,
    version: VERSION,
    uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
    checks: { database, bus, broker },
  };
}

function validationField(error: ValidationError): string {
  const path = error.valueError?.path ?? "";
  return path.replace(/^\//, "").replaceAll("/", ".") || error.type;
}

/** open: paths that authenticate their callers themselves (orchestration's /mcp with OAuth, and the OAuth endpoints). */
export function createServiceApp(ctx: ServiceContext, open: readonly string[] = []) {
  return new Elysia({ name: ctx.service })
    .onRequest(({ request }) => {
      const { pathname } = new URL(request.url);
      if (request.method === "GET" && pathname === healthRoute.path) return;
      if (open.includes(pathname)) return;
      // Runs before routing, so unknown paths answer 401 (not 404) to a caller without the key.
      if (!keyMatches(presentedKey(request.headers), ctx.apiKey)) {
        return errorResponse(401, errorBody("unauthorized", "missing or wrong API key: send it in the X-API-Key header"), {
          "www-authenticate": "ApiKey",
        });
      }
    })
    .onError(({ code, error, request }) => {
      if (error instanceof ApiError) return errorResponse(error.status, error.body());
      if (error instanceof ValidationError && error.type !== "response") {
        const field = validationField(error);
        const detail = error.valueError?.message ?? "is invalid";
        return errorResponse(422, errorBody("validation_failed", `${error.type} field "${field}": ${detail}`, field));
      }
      if (code === "PARSE") return errorResponse(400, errorBody("malformed_body", "the request body is not valid JSON"));
      if (code === "NOT_FOUND") {
        return errorResponse(404, errorBody("not_found", `no route ${request.method} ${new URL(request.url).pathname}; see /openapi`));
      }
      ctx.log.error("unhandled error", { path: new URL(request.url).pathname, error: String(error) });
      return errorResponse(500, errorBody("internal", "internal error; the service log has the details"));
    })
    .use(
      openapi({
        path: "/openapi",
        documentation: { info: { title: `Catalyst ${ctx.service}`, version: VERSION } },
      }),
    )
    .get(
      healthRoute.path,
      async ({ set }) => {
        const report = await healthReport(ctx);
        if (report.status === "down") set.status = 503;
        return report;
      },
      { response: { 200: healthRoute.response, 503: healthRoute.response }, detail: { summary: healthRoute.summary } },
    );
}

export type ServiceApp = ReturnType<typeof createServiceApp>;

function numericFields(schema: TObject | undefined): string[] {
  return Object.entries(schema?.properties ?? {})
    .filter(([, property]) => property.type === "integer" || property.type === "number")
    .map(([name]) => name);
}

function toNumbers(values: Record<string, unknown>, names: string[]): void {
  for (const name of names) {
    const value = values[name];
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) values[name] = Number(value);
  }
}

/**
 * Query strings and path segments that spell a number become numbers where the contract wants
 * one, before Elysia validates: Elysia coerces only Number (not Integer) fields, and its coercion
 * reports range errors without the field's name; validating real numbers keeps the name in the 422.
 */
function numericInput(contract: RouteContract) {
  const query = numericFields(contract.query);
  const params = numericFields(contract.params);
  return (context: { query: Record<string, unknown>; params: Record<string, unknown> }) => {
    toNumbers(context.query, query);
    toNumbers(context.params, params);
  };
}

/** Mounts a contract's route: Elysia validates params/query/body against the contract's schemas. */
export function mount<C extends RouteContract>(
  app: ServiceApp,
  contract: C,
  handler: (input: RouteHandlerInput<C>) => Promise<RouteOutput<C>> | RouteOutput<C>,
): ServiceApp {
  return app.route(
    contract.method,
    contract.path,
    ({ params, query, body }) => handler({ params, query, body } as RouteHandlerInput<C>),
    {
      params: contract.params,
      query: contract.query,
      body: contract.body,
      response: contract.response,
      transform: numericInput(contract),
      detail: { summary: contract.summary },
    },
  ) as unknown as ServiceApp;
}
