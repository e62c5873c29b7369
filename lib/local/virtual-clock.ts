/**
 * The local host's virtual clock (never deployed). Journeys' waits, scheduled jobs and deferred
 * messages sleep on it; `advance()` moves time forward and returns once everything due by then has
 * run, one due item at a time in time order, so the same calls always give the same outbox.
 *
 * It knows when the system is idle by counting: work the host starts (executions, jobs) is
 * `track`ed, and work that sleeps on the clock is counted as asleep. When every tracked piece of
 * work is asleep or done, nothing more can happen until the clock moves.
 */
export class ClockRewindRefused extends Error {}

export interface AdvanceBy {
  days?: number;
  hours?: number;
  minutes?: number;
}

interface Timer {
  at: number;
  sequence: number;
  wake: () => void;
  /** Set for the scheduled jobs' timers, so a rewind can move them with the clock. */
  intervalMs?: number;
}

export interface VirtualClockOptions {
  /** Told of every move, so the host can keep the time across a restart. */
  onMove?: (now: Date) => void;
}

export class VirtualClock {
  private current: number;
  private readonly timers: Timer[] = [];
  private sequence = 0;
  private running = 0;
  private sleeping = 0;
  private idleWaiters: (() => void)[] = [];
  private advancing: Promise<unknown> = Promise.resolve();
  private readonly drains: (() => Promise<boolean>)[] = [];

  private readonly onMove: (now: Date) => void;

  constructor(start: Date, options: VirtualClockOptions = {}) {
    this.current = start.getTime();
    this.onMove = options.onMove ?? (() => undefined);
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Resolves when the clock reaches `at` (at once if it already has). */
  sleepUntil(at: Date): Promise<void> {
    if (at.getTime() <= this.current) return Promise.resolve();
    this.sleeping += 1;
    return new Promise<void>((resolve) => {
      this.insert({
        at: at.getTime(),
        sequence: this.sequence++,
        wake: () => {
          this.sleeping -= 1;
          resolve();
        },
      });
      this.checkIdle();
    });
  }

  /** Counts `work` as running until it settles, so advance() waits for it. */
  track<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    let settled: Promise<T>;
    try {
      settled = work();
    } catch (error) {
      settled = Promise.reject(error);
    }
    return settled.finally(() => {
      this.running -= 1;
      this.checkIdle();
    });
  }

  /** Runs `job` at `first` and then every `intervalMs`, on this clock. */
  every(first: Date, intervalMs: number, job: (at: Date) => Promise<void>, onError: (error: unknown) => void): void {
    const schedule = (at: number) => {
      const timer: Timer = {
        at,
        sequence: this.sequence++,
        intervalMs,
        wake: () => {
          void this.track(() => job(new Date(timer.at))).catch(onError);
          schedule(timer.at + intervalMs);
        },
      };
      this.insert(timer);
    };
    schedule(first.getTime());
  }

  /**
   * Work that waits to be asked rather than on a timer (the reactions to what the table's stream
   * holds): run before the clock moves, so a reaction runs at the time of the write it follows.
   * `drain` says whether it ran anything.
   */
  drainBeforeMoving(drain: () => Promise<boolean>): void {
    this.drains.push(drain);
  }

  /** Moves time forward by `by`, running everything due on the way; concurrent calls queue up. */
  advance(by: AdvanceBy): Promise<{ now: string; ran: number }> {
    const milliseconds = (((by.days ?? 0) * 24 + (by.hours ?? 0)) * 60 + (by.minutes ?? 0)) * 60_000;
    return this.inTurn(() => this.advanceNow(milliseconds));
  }

  /**
   * Sets the time to `to`: forward at any time, running everything due on the way; backward only
   * when `mayRewind` agrees (a ClockRewindRefused otherwise), which moves the scheduled jobs back
   * with the clock, keeping their times of day.
   */
  set(to: Date, mayRewind: () => Promise<boolean>): Promise<{ now: string }> {
    return this.inTurn(async () => {
      const target = to.getTime();
      if (target >= this.current) return { now: (await this.advanceNow(target - this.current)).now };
      const sleepers = this.timers.filter((timer) => timer.intervalMs === undefined).length;
      if (sleepers > 0 || !(await mayRewind())) {
        throw new ClockRewindRefused(`the clock moves only forward once something is recorded; it is ${this.now().toISOString()}`);
      }
      for (const timer of this.timers) {
        const interval = timer.intervalMs ?? 0;
        while (timer.at - interval > target) timer.at -= interval;
      }
      this.timers.sort((a, b) => a.at - b.at || a.sequence - b.sequence);
      this.moveTo(target);
      return { now: this.now().toISOString() };
    });
  }

  /** Runs `change` after every move asked for before it, and before any asked for later. */
  private inTurn<T>(change: () => Promise<T>): Promise<T> {
    const next = this.advancing.then(change);
    this.advancing = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every tracked piece of work is asleep on the clock or finished. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async advanceNow(milliseconds: number): Promise<{ now: string; ran: number }> {
    const target = this.current + milliseconds;
    let ran = 0;
    await this.settle({ drain: true });
    for (;;) {
      const timer = this.timers[0];
      if (!timer || timer.at > target) break;
      this.timers.shift();
      this.moveTo(Math.max(this.current, timer.at));
      timer.wake();
      ran += 1;
      // No step or scheduled job writes an order or a refund: what the reactions follow was written before.
      await this.settle();
    }
    this.moveTo(target);
    await this.settle();
    return { now: this.now().toISOString(), ran };
  }

  /** Idle, and still idle after pending I/O callbacks had their turn; with `drain`, nothing left to drain either. */
  private async settle(options: { drain: boolean } = { drain: false }): Promise<void> {
    for (;;) {
      do {
        await this.idle();
        await new Promise((resolve) => setImmediate(resolve));
      } while (!this.isIdle());
      if (!options.drain || !(await this.drain())) return;
    }
  }

  private async drain(): Promise<boolean> {
    let ran = false;
    for (const drain of this.drains) ran = (await drain()) || ran;
    return ran;
  }

  private moveTo(at: number): void {
    if (at === this.current) return;
    this.current = at;
    this.onMove(this.now());
  }

  private isIdle(): boolean {
    return this.running <= this.sleeping;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private insert(timer: Timer): void {
    let index = this.timers.findIndex((other) => other.at > timer.at || (other.at === timer.at && other.sequence > timer.sequence));
    if (index < 0) index = this.timers.length;
    this.timers.splice(index, 0, timer);
  }
}
