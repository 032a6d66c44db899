// What the bench client waits for. Every bench publish carries `@@seq@@` in
// its text; a seq is expected once on one stream (targeted) or once on every
// stream open when it was sent (broadcast). Arrivals are matched by seq and
// stream, not by order: concurrent publishes may overtake each other, and a
// second arrival of the same seq on a stream is a duplicate, not a delivery.

export class Expectations {
  /** seq → { t0, stream, seen, remaining, latencies } */
  #awaited = new Map();
  duplicates = 0;
  misdelivered = 0;
  /** Arrivals of a seq no longer awaited: late past its deadline, or never published by this run. */
  unexpected = 0;

  /** Expect seq once on `stream`; its latency from `t0` goes into `latencies`. */
  expectOne(seq, stream, t0, latencies) {
    this.#awaited.set(seq, { t0, stream, seen: null, remaining: 1, latencies });
  }

  /** Expect seq once on each of the `streams` (indexes below `streamCount`). */
  expectAll(seq, streams, streamCount, t0, latencies) {
    const seen = new Uint8Array(streamCount);
    for (const stream of streams) seen[stream] = 1;
    this.#awaited.set(seq, { t0, stream: -1, seen, remaining: streams.length, latencies });
  }

  arrived(seq, stream, now) {
    const wait = this.#awaited.get(seq);
    if (wait === undefined) {
      this.unexpected++;
      return;
    }
    if (wait.stream >= 0 && wait.stream !== stream) {
      this.misdelivered++;
      return;
    }
    if (wait.seen !== null) {
      // 1: expected and not seen yet; 2: seen; 0: not expected here.
      if (wait.seen[stream] !== 1) {
        if (wait.seen[stream] === 2) this.duplicates++;
        else this.misdelivered++;
        return;
      }
      wait.seen[stream] = 2;
    } else if (wait.remaining === 0) {
      this.duplicates++;
      return;
    }
    wait.remaining--;
    wait.latencies.push(now - wait.t0);
  }

  /** Deliveries of seq still missing (0 once it is no longer awaited). */
  remaining(seq) {
    return this.#awaited.get(seq)?.remaining ?? 0;
  }

  /** Missing deliveries over every awaited seq. */
  missing() {
    let missing = 0;
    for (const wait of this.#awaited.values()) missing += wait.remaining;
    return missing;
  }

  forget(seq) {
    this.#awaited.delete(seq);
  }

  /** Forget everything awaited and counted: the next command starts afresh. */
  clear() {
    this.#awaited.clear();
    this.duplicates = 0;
    this.misdelivered = 0;
    this.unexpected = 0;
  }
}
