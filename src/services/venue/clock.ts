/** The venue's simulated clock: an instant that runs at `speed` × real time, can pause, and only moves forward. */

export interface ClockState {
  now: number;
  speed: number;
  paused: boolean;
}

export class SimClock {
  private anchorSim: number;
  private anchorReal: number;
  private speedFactor: number;
  private isPaused: boolean;

  constructor(
    start: number,
    speed: number,
    private readonly realNow: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    this.anchorSim = start;
    this.anchorReal = realNow();
    this.speedFactor = speed;
    this.isPaused = false;
  }

  now(): number {
    if (this.isPaused) return this.anchorSim;
    return Math.floor(this.anchorSim + (this.realNow() - this.anchorReal) * this.speedFactor);
  }

  state(): ClockState {
    return { now: this.now(), speed: this.speedFactor, paused: this.isPaused };
  }

  /** Changes speed, pause or the instant; the exchange has already lived up to now, so time never goes back. */
  set(changes: { time?: number; speed?: number; paused?: boolean }): ClockState {
    const current = this.now();
    if (changes.time !== undefined && changes.time < current) {
      throw new RangeError(`the simulated clock cannot go back (it is ${new Date(current).toISOString()}); restart the venue to rehearse an earlier day`);
    }
    if (changes.speed !== undefined && !(changes.speed > 0)) throw new RangeError("speed must be > 0");
    this.anchorSim = changes.time ?? current;
    this.anchorReal = this.realNow();
    if (changes.speed !== undefined) this.speedFactor = changes.speed;
    if (changes.paused !== undefined) this.isPaused = changes.paused;
    return this.state();
  }

  advance(ms: number): ClockState {
    if (!(ms >= 0)) throw new RangeError("advance must be >= 0 ms");
    return this.set({ time: this.now() + ms });
  }
}
