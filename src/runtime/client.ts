/** The one typed client for inter-service calls: adds the API key, checks the answer's shape. */
import { Value } from "@sinclair/typebox/value";
import type { Config } from "../config.ts";
import { fillPath, type RouteContract, type RouteInput, type RouteOutput } from "../contracts/route.ts";
import type { ErrorBody } from "./errors.ts";
import type { ServiceName } from "./services.ts";

/** A call that failed, carrying the callee's error code so callers can act on it. */
export class ServiceCallError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${service}: ${message}`);
    this.name = "ServiceCallError";
  }
}

export interface CallOptions {
  /** Which service to call for routes every service serves (health). */
  service?: ServiceName;
  timeoutMs?: number;
}

export class ServiceClient {
  constructor(
    private readonly urls: Record<ServiceName, string>,
    private readonly apiKey: string,
  ) {}

  static fromConfig(config: Config, apiKey: string): ServiceClient {
    return new ServiceClient(config.serviceUrls, apiKey);
  }

  async call<C extends RouteContract>(contract: C, input: RouteInput<C>, options: CallOptions = {}): Promise<RouteOutput<C>> {
    const service = contract.service === "every" ? options.service : contract.service;
    if (!service) throw new Error(`${contract.path} is served by every service: say which one to call`);
    const url = new URL(fillPath(contract.path, input.params), this.urls[service]);
    for (const [key, value] of Object.entries(input.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { "x-api-key": this.apiKey };
    if (input.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(url, {
        method: contract.method,
        headers,
        body: input.body === undefined ? undefined : JSON.stringify(input.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new ServiceCallError(service, 0, "unreachable", `${url.origin} did not answer: ${(error as Error).message}`);
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const failure = (body as ErrorBody | null)?.error;
      throw new ServiceCallError(service, response.status, failure?.code ?? "http_error", failure?.message ?? `HTTP ${response.status}`);
    }
    if (!Value.Check(contract.response, body)) {
      const first = Value.Errors(contract.response, body).First();
      throw new ServiceCallError(service, response.status, "bad_response", `answer does not match the contract at ${first?.path || "/"}: ${first?.message}`);
    }
    return body as RouteOutput<C>;
  }
}
