/** Runs cycle-changing work (ticks, stops) one at a time, so a stop never lands in the middle of a tick. */
export class SerialRunner {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Something is running or waiting: the scheduler skips its tick rather than stacking one. */
  get busy(): boolean {
    return this.pending > 0;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(work).finally(() => {
      this.pending--;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
