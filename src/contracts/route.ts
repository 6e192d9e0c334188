/**
 * A route contract: method, path and schemas, defined once. Servers mount it (Elysia validates
 * input against it); the typed client calls it — so a caller can only reach routes that exist.
 */
import type { Static, TObject, TSchema } from "@sinclair/typebox";
import type { ServiceName } from "../runtime/services.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteContract<
  Params extends TObject | undefined = TObject | undefined,
  Query extends TObject | undefined = TObject | undefined,
  Body extends TSchema | undefined = TSchema | undefined,
  Response extends TSchema = TSchema,
> {
  /** The service that serves it; "every" for routes all services share (health). */
  service: ServiceName | "every";
  method: HttpMethod;
  path: string;
  summary: string;
  params?: Params;
  query?: Query;
  body?: Body;
  response: Response;
}

export function defineRoute<
  Params extends TObject | undefined = undefined,
  Query extends TObject | undefined = undefined,
  Body extends TSchema | undefined = undefined,
  Response extends TSchema = TSchema,
>(contract: RouteContract<Params, Query, Body, Response>): RouteContract<Params, Query, Body, Response> {
  return contract;
}

type StaticOr<S, Fallback> = S extends TSchema ? Static<S> : Fallback;

/** What a caller passes: only the parts the contract declares. */
export type RouteInput<C extends RouteContract> =
  C extends RouteContract<infer P, infer Q, infer B, TSchema>
    ? (P extends TSchema ? { params: Static<P> } : { params?: undefined }) &
        (Q extends TSchema ? { query?: Static<Q> } : { query?: undefined }) &
        (B extends TSchema ? { body: Static<B> } : { body?: undefined })
    : never;

/** What a handler receives once the server has validated the request against the contract. */
export type RouteHandlerInput<C extends RouteContract> =
  C extends RouteContract<infer P, infer Q, infer B, TSchema>
    ? { params: StaticOr<P, Record<string, never>>; query: StaticOr<Q, Record<string, never>>; body: StaticOr<B, undefined> }
    : never;

export type RouteOutput<C extends RouteContract> = StaticOr<C["response"], never>;

/** `/positions/:id/close` + {id: 7} → `/positions/7/close` (each value URI-encoded). */
export function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(value));
  });
}
