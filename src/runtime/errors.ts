/** The one JSON error body every service answers with: {error:{code,message,field?}}. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: unknown };
}

/** Config, start-up and database errors: the user fixes them from the one-line message (the CLI prints no stack). */
export class UserFixableError extends Error {}

/** Start-up failed in a way the user must fix; the message is one line naming what and where. */
export class StartupError extends UserFixableError {
  override name = "StartupError";
}

/** An error meant for the caller: its status, a stable code and a message saying what to do. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Structured context a program can act on (a risk rejection's verdicts). */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  body(): ErrorBody {
    const body = errorBody(this.code, this.message, this.field);
    if (this.details !== undefined) body.error.details = this.details;
    return body;
  }
}

export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

export function errorResponse(status: number, body: ErrorBody, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

/** What went wrong, as one line of text, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs one dependency call; its failure reaches the caller as `failure` says (an ApiError, or the error passed on). */
export async function via<T>(run: () => Promise<T>, failure: (error: unknown) => unknown): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw failure(error);
  }
}

/** Per-symbol outcomes (a report or an ApiError) as a batch route's answer, in the callers' order. */
export function batchAnswer<Report>(symbols: string[], outcomes: ReadonlyMap<string, Report | ApiError>) {
  return {
    results: symbols.map((symbol) => {
      const outcome = outcomes.get(symbol)!;
      return outcome instanceof ApiError
        ? { symbol, report: null, error: { status: outcome.status, code: outcome.code, message: outcome.message } }
        : { symbol, report: outcome, error: null };
    }),
  };
}
