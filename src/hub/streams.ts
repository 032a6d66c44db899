// The hub's open streams: one ReadableStream per browser tab, grouped by
// uid, with each online uid's counts (unread, unseen), the heartbeat, and
// every reason a stream ends. This class is the one owner of those facts; the
// hub asks it.
//
// A ReadableStream with its controller kept is the leanest primitive that
// still tells us when a client is gone (its `cancel` runs, or `enqueue`
// throws) and how much is queued for it (`desiredSize`).

import type { DropReason, InboxCounts } from "../messages";

export interface Subscriber {
  readonly uid: string;
  /** Unix ms after which the stream's token is no longer valid, or null. */
  readonly expiresAt: number | null;
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
  /** Which slice of the heartbeat pings this tab. */
  readonly phase: number;
  open: boolean;
}

export interface StreamSettings {
  readonly maxQueueBytes: number;
  readonly maxStreamsPerUid: number;
  readonly heartbeatMs: number;
}

/** What the streams need written that only the hub knows how to frame. */
export interface StreamFrames {
  readonly ping: Uint8Array;
  /** An `unread` event carrying these counts. */
  counts(counts: InboxCounts): Uint8Array;
}

/** An online uid: its tabs in the order they opened, and its counts. */
interface Online {
  readonly tabs: Set<Subscriber>;
  counts: InboxCounts;
}

/**
 * The heartbeat ticks this many times per HEARTBEAT_MS; each tick pings one
 * of as many groups ("phases") of tabs, dealt out in turn as tabs open. So
 * every tab is written to exactly once per HEARTBEAT_MS however many come
 * and go, and ten thousand tabs are never pinged in one burst.
 */
const HEARTBEAT_PHASES = 8;
/**
 * A new tab past MAX_STREAMS_PER_UID waits this long before the oldest tab is
 * closed: the tabs are probed first, and one that is already dead (a reload
 * closes the old page as it opens the new one) is noticed and counted out,
 * so a live tab is not pushed out in its place.
 */
export const REPLACE_GRACE_MS = 1000;

export class OpenStreams {
  private readonly byUid = new Map<string, Online>();
  private count = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly phases: Set<Subscriber>[] = Array.from({ length: HEARTBEAT_PHASES }, () => new Set());
  private nextPhase = 0;
  private tick = 0;
  private readonly dropCounts: Record<DropReason, number> = { gone: 0, slow: 0, replaced: 0, expired: 0, erased: 0 };

  constructor(
    private readonly settings: StreamSettings,
    private readonly frames: StreamFrames,
  ) {}

  get size(): number {
    return this.count;
  }

  get users(): number {
    return this.byUid.size;
  }

  get dropped(): Readonly<Record<DropReason, number>> {
    return { ...this.dropCounts };
  }

  tabs(uid: string): number {
    return this.byUid.get(uid)?.tabs.size ?? 0;
  }

  /** The counts of an online uid; undefined when it has no open stream. */
  countsOf(uid: string): InboxCounts | undefined {
    return this.byUid.get(uid)?.counts;
  }

  /**
   * A new stream for uid that starts with `prelude` and then receives
   * fan-out. The caller builds the prelude and calls this in one synchronous
   * turn, so no publish can fall between what it replayed and what is live.
   * `counts` are the uid's as of the prelude.
   */
  open(uid: string, expiresAt: number | null, counts: InboxCounts, prelude: readonly Uint8Array[]): ReadableStream<Uint8Array> {
    let subscriber!: Subscriber;
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          subscriber = { uid, expiresAt, controller, phase: this.nextPhase, open: true };
          this.nextPhase = (this.nextPhase + 1) % HEARTBEAT_PHASES;
        },
        cancel: () => this.drop(subscriber, "gone"),
      },
      { highWaterMark: this.settings.maxQueueBytes, size: (chunk) => chunk.byteLength },
    );
    for (const chunk of prelude) this.write(subscriber, chunk);
    if (subscriber.open) this.register(subscriber, counts);
    return body;
  }

  /**
   * One more message for uid, unread and unseen: its counts go up by one and
   * every tab gets `chunkFor(counts)`. Returns the tabs written.
   */
  deliver(uid: string, chunkFor: (counts: InboxCounts) => Uint8Array): number {
    const online = this.byUid.get(uid);
    if (online === undefined) return 0;
    online.counts = { unread: online.counts.unread + 1, unseen: online.counts.unseen + 1 };
    return this.writeToTabs(online, chunkFor(online.counts));
  }

  /** One more message for everyone online; `chunkFor` is asked once per uid (cache by counts). Returns the tabs written. */
  deliverToAll(chunkFor: (counts: InboxCounts) => Uint8Array): number {
    let written = 0;
    for (const online of this.byUid.values()) {
      online.counts = { unread: online.counts.unread + 1, unseen: online.counts.unseen + 1 };
      written += this.writeToTabs(online, chunkFor(online.counts));
    }
    return written;
  }

  /** The uid's counts as storage now says; its tabs hear them if they changed. */
  recount(uid: string, counts: InboxCounts): void {
    const online = this.byUid.get(uid);
    if (online === undefined || (online.counts.unread === counts.unread && online.counts.unseen === counts.unseen)) return;
    online.counts = counts;
    this.writeToTabs(online, this.frames.counts(counts));
  }

  /** Write bytes to every tab of uid (e.g. a retract notice); returns how many took them. */
  tell(uid: string, bytes: Uint8Array): number {
    const online = this.byUid.get(uid);
    return online === undefined ? 0 : this.writeToTabs(online, bytes);
  }

  /** Close every tab of uid (the uid was erased); returns how many there were. */
  closeAll(uid: string, reason: DropReason): number {
    const tabs = [...(this.byUid.get(uid)?.tabs ?? [])];
    for (const tab of tabs) this.drop(tab, reason);
    return tabs.length;
  }

  /** Every online uid, to recount after storage changed under all of them (retention). */
  onlineUids(): string[] {
    return [...this.byUid.keys()];
  }

  private register(subscriber: Subscriber, counts: InboxCounts): void {
    let online = this.byUid.get(subscriber.uid);
    if (online === undefined) {
      online = { tabs: new Set(), counts };
      this.byUid.set(subscriber.uid, online);
    }
    online.tabs.add(subscriber);
    this.phases[subscriber.phase]!.add(subscriber);
    this.count++;
    this.startHeartbeat();
    if (online.tabs.size > this.settings.maxStreamsPerUid) this.makeRoom(subscriber.uid, online);
  }

  /**
   * Past the tab limit: probe the older tabs now, and close the oldest only
   * if, after a grace period, the uid is still over the limit. Only live tabs
   * count: a dead one fails its probe and leaves by itself.
   */
  private makeRoom(uid: string, online: Online): void {
    for (const tab of online.tabs) this.write(tab, this.frames.ping);
    setTimeout(() => {
      const current = this.byUid.get(uid);
      if (current === undefined) return;
      while (current.tabs.size > this.settings.maxStreamsPerUid) {
        this.drop(current.tabs.values().next().value!, "replaced");
      }
    }, REPLACE_GRACE_MS);
  }

  private writeToTabs(online: Online, bytes: Uint8Array): number {
    let written = 0;
    for (const subscriber of online.tabs) if (this.write(subscriber, bytes)) written++;
    return written;
  }

  /**
   * Queue bytes for one subscriber. A throw means the client is gone; a queue
   * past MAX_QUEUE_BYTES means it reads too slowly: either way it is dropped
   * (it reconnects and resumes) and nobody else is touched.
   */
  private write(subscriber: Subscriber, bytes: Uint8Array): boolean {
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

  private startHeartbeat(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => this.pingPhase(Date.now()), this.settings.heartbeatMs / HEARTBEAT_PHASES);
  }

  /**
   * One tick of the heartbeat: a comment to every tab of the next phase, and
   * streams whose token expired are closed. That write is also what finds a
   * client that closed: on workerd the first write after a close fails, so
   * every closed tab is gone within one HEARTBEAT_MS, even when hundreds close
   * together.
   */
  private pingPhase(now: number): void {
    const phase = this.phases[this.tick]!;
    this.tick = (this.tick + 1) % HEARTBEAT_PHASES;
    for (const subscriber of phase) {
      if (subscriber.expiresAt !== null && subscriber.expiresAt <= now) this.drop(subscriber, "expired");
      else this.write(subscriber, this.frames.ping);
    }
  }

  private drop(subscriber: Subscriber, reason: DropReason): void {
    if (!subscriber.open) return;
    subscriber.open = false;
    this.dropCounts[reason]++;
    const online = this.byUid.get(subscriber.uid);
    if (online?.tabs.delete(subscriber)) {
      this.count--;
      this.phases[subscriber.phase]!.delete(subscriber);
      if (online.tabs.size === 0) this.byUid.delete(subscriber.uid);
    }
    if (this.count === 0 && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
    try {
      // A slow reader's backlog is discarded at once (only error() does that;
      // workerd logs the reason once per cut reader); others end cleanly.
      if (reason === "slow") subscriber.controller.error(new Error("slow reader cut: its queue passed MAX_QUEUE_BYTES"));
      else subscriber.controller.close();
    } catch {
      // Already closed or cancelled by the client: nothing left to release.
    }
  }
}
