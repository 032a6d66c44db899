// Calls onSilence once nothing was heard for `limitMs`. A half-open TCP
// connection (a peer that vanished without a FIN, a NAT that forgot us) looks
// exactly like a quiet stream; the hub's heartbeat tells them apart. One timer,
// re-armed only when it fires, so touching it per chunk costs a clock read.

export class Watchdog {
  private lastHeard = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private limitMs: number,
    private readonly onSilence: () => void,
  ) {
    this.arm(limitMs);
  }

  touch(): void {
    this.lastHeard = Date.now();
  }

  /** A new limit, counted from the last time something was heard. */
  setLimit(limitMs: number): void {
    this.limitMs = limitMs;
    this.stop();
    this.arm(Math.max(0, this.lastHeard + limitMs - Date.now()));
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      const silentMs = Date.now() - this.lastHeard;
      if (silentMs >= this.limitMs) this.onSilence();
      else this.arm(this.limitMs - silentMs);
    }, ms);
  }
}
