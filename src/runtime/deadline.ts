/**
 * Work that must finish in time or is abandoned: the caller goes on, and the work is left to end
 * or fail on its own (its queries are bounded by the pool's statement and lock timeouts). Used so
 * that one hung sweep, sync or probe cannot stop the loop that runs it.
 */
export class DeadlineExceeded extends Error {
  override name = "DeadlineExceeded";
}

export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: Timer | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineExceeded(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
