// The hub's open streams: one ReadableStream per browser tab, grouped by uid.
// A ReadableStream with its controller kept is the leanest primitive that
// still tells us when a client is gone (its `cancel` runs, or `enqueue`
// throws) and how much is queued for it (`desiredSize`).

export type DropReason = "gone" | "slow" | "replaced" | "expired";

export interface Subscriber {
  readonly uid: string;
  /** Unix ms after which the stream's token is no longer valid, or null. */
  readonly expiresAt: number | null;
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
  open: boolean;
}

export interface StreamLimits {
  readonly maxQueueBytes: number;
  readonly maxStreamsPerUid: number;
}

export class OpenStreams {
  // Insertion order of each Set is the age order of a uid's tabs.
  private readonly byUid = new Map<string, Set<Subscriber>>();
  private count = 0;
  private pingCursor: Iterator<Set<Subscriber>> | undefined;

  constructor(
    private readonly limits: StreamLimits,
    private readonly onDrop: (subscriber: Subscriber, reason: DropReason) => void,
  ) {}

  get size(): number {
    return this.count;
  }

  get users(): number {
    return this.byUid.size;
  }

  tabs(uid: string): number {
    return this.byUid.get(uid)?.size ?? 0;
  }

  uids(): IterableIterator<string> {
    return this.byUid.keys();
  }

  /**
   * A new stream for uid, not yet receiving fan-out. Write its opening bytes
   * with `write`, then `register` it: both in one synchronous turn, so no
   * publish can fall between replay and live.
   */
  create(uid: string, expiresAt: number | null): { subscriber: Subscriber; body: ReadableStream<Uint8Array> } {
    let subscriber!: Subscriber;
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          subscriber = { uid, expiresAt, controller, open: true };
        },
        cancel: () => this.drop(subscriber, "gone"),
      },
      { highWaterMark: this.limits.maxQueueBytes, size: (chunk) => chunk.byteLength },
    );
    return { subscriber, body };
  }

  /** Start fan-out to the subscriber; the oldest tab past the per-uid limit is closed. */
  register(subscriber: Subscriber): void {
    if (!subscriber.open) return;
    let tabs = this.byUid.get(subscriber.uid);
    if (tabs === undefined) {
      tabs = new Set();
      this.byUid.set(subscriber.uid, tabs);
    }
    tabs.add(subscriber);
    this.count++;
    while (tabs.size > this.limits.maxStreamsPerUid) {
      const oldest = tabs.values().next().value!;
      this.drop(oldest, "replaced");
    }
  }

  /**
   * Queue bytes for one subscriber. A throw means the client is gone; a queue
   * past MAX_QUEUE_BYTES means it reads too slowly: either way it is dropped
   * (it reconnects and resumes) and nobody else is touched.
   */
  write(subscriber: Subscriber, bytes: Uint8Array): boolean {
    if (!subscriber.open) return false;
    try {
      subscriber.controller.enqueue(bytes);
    } catch {
      this.drop(subscriber, "gone");
      return false;
    }
    if ((subscriber.controller.desiredSize ?? 0) < 0) {
      this.drop(subscriber, "slow");
      return false;
    }
    return true;
  }

  /** Write to every tab of uid; returns how many took it. */
  writeToUid(uid: string, bytes: Uint8Array): number {
    const tabs = this.byUid.get(uid);
    if (tabs === undefined) return 0;
    let written = 0;
    for (const subscriber of tabs) if (this.write(subscriber, bytes)) written++;
    return written;
  }

  /** Write to every tab of every uid, with bytes chosen per uid. */
  writeToAll(bytesFor: (uid: string) => Uint8Array): number {
    let written = 0;
    for (const [uid, tabs] of this.byUid) {
      const bytes = bytesFor(uid);
      for (const subscriber of tabs) if (this.write(subscriber, bytes)) written++;
    }
    return written;
  }

  /**
   * One slice of the heartbeat: a comment to the tabs of the next `uidCount`
   * uids, continuing where the last slice stopped, and streams whose token
   * expired are closed. Spreading the pings keeps a big hub from stalling
   * every message behind one burst of ten thousand writes.
   */
  pingSlice(bytes: Uint8Array, now: number, uidCount: number): void {
    for (let visited = 0; visited < uidCount; visited++) {
      // A Map iterator is live: uids added meanwhile are visited in this pass, removed ones skipped.
      this.pingCursor ??= this.byUid.values();
      const next = this.pingCursor.next();
      if (next.done === true) {
        this.pingCursor = undefined;
        return;
      }
      for (const subscriber of next.value) {
        if (subscriber.expiresAt !== null && subscriber.expiresAt <= now) this.drop(subscriber, "expired");
        else this.write(subscriber, bytes);
      }
    }
  }

  drop(subscriber: Subscriber, reason: DropReason): void {
    if (!subscriber.open) return;
    subscriber.open = false;
    const tabs = this.byUid.get(subscriber.uid);
    if (tabs?.delete(subscriber)) {
      this.count--;
      if (tabs.size === 0) this.byUid.delete(subscriber.uid);
    }
    try {
      // A slow reader's backlog is discarded at once; others end cleanly.
      if (reason === "slow") subscriber.controller.error(new Error("stream queue over MAX_QUEUE_BYTES"));
      else subscriber.controller.close();
    } catch {
      // Already closed or cancelled by the client: nothing left to release.
    }
    this.onDrop(subscriber, reason);
  }
}
