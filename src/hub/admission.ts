// Whether a hub takes one more stream, and if not, how long the browser
// should wait. A refusal is a `busy` answer (200), never an error status:
// EventSource gives up for good on anything but 200.
import type { BusyNotice } from "../messages";
import { fullHubRetryMs } from "../retry-delay";

/** Refusals are counted over this window to estimate how many browsers are waiting. */
const PRESSURE_WINDOW_MS = 10_000;

export interface AdmissionLimits {
  readonly maxStreams: number;
  readonly maxStreamsPerUid: number;
  readonly retryMs: number;
}

export class Admission {
  private windowStart = 0;
  private refusedInWindow = 0;
  private refusedInLastWindow = 0;

  constructor(private readonly limits: AdmissionLimits) {}

  /**
   * undefined to admit, or the busy notice. A uid at its tab limit is always
   * admitted: its oldest tab makes room, so the total does not grow.
   */
  refusal(openStreams: number, tabsOfUid: number, now: number): BusyNotice | undefined {
    if (openStreams < this.limits.maxStreams || tabsOfUid >= this.limits.maxStreamsPerUid) return undefined;
    const waiting = this.countRefusal(now);
    return {
      reason: "full",
      error: `this hub holds MAX_STREAMS (${this.limits.maxStreams}) streams; retrying by itself`,
      retryMs: fullHubRetryMs(this.limits.retryMs, openStreams + waiting, this.limits.maxStreams),
    };
  }

  /** Refusals in the current and the previous window: roughly the browsers waiting to get in. */
  private countRefusal(now: number): number {
    if (now - this.windowStart >= PRESSURE_WINDOW_MS) {
      this.refusedInLastWindow = now - this.windowStart >= 2 * PRESSURE_WINDOW_MS ? 0 : this.refusedInWindow;
      this.refusedInWindow = 0;
      this.windowStart = now;
    }
    this.refusedInWindow++;
    return this.refusedInWindow + this.refusedInLastWindow;
  }
}
