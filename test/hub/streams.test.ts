// OpenStreams on its own: real ReadableStreams, read the way workerd reads a
// response body. Every read has a deadline; every stream is cancelled.
import { afterEach, describe, expect, it } from "vitest";
import { OpenStreams, REPLACE_GRACE_MS } from "../../src/hub/streams";
import type { InboxCounts } from "../../src/messages";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PING = encoder.encode(": ping\n\n");
const frames = { ping: PING, counts: (counts: InboxCounts) => encoder.encode(`unread ${counts.unread}/${counts.unseen}\n`) };
const ZERO = { unread: 0, unseen: 0 };
const settings = { maxQueueBytes: 1024, maxStreamsPerUid: 2, heartbeatMs: 80 };

const readers = new Set<Tab>();
afterEach(async () => {
  await Promise.all([...readers].map((tab) => tab.cancel()));
});

/** A tab reading one stream into text until it ends; waits wake on each chunk, nothing polls. */
class Tab {
  text = "";
  ended = false;
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly done: Promise<void>;
  private readonly waiters = new Set<() => void>();

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
    readers.add(this);
    this.done = this.pump();
  }

  until(ready: () => boolean, what: string, ms = 2000): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.text.slice(-200))}`));
      }, ms);
      const check = () => {
        if (!ready()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  cancel(): Promise<void> {
    readers.delete(this);
    return this.reader.cancel().catch(() => {});
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        this.text += decoder.decode(value);
        for (const waiter of [...this.waiters]) waiter();
      }
    } catch {
      // Errored by the hub (a slow reader): over, like a close.
    }
    this.ended = true;
    for (const waiter of [...this.waiters]) waiter();
  }
}

const bytes = (text: string) => encoder.encode(text);
const open = (streams: OpenStreams, uid: string, prelude = "hello\n", expiresAt: number | null = null) =>
  new Tab(streams.open(uid, expiresAt, ZERO, [bytes(prelude)]));

describe("OpenStreams", () => {
  it("starts a stream with its prelude, then counts and delivers to every tab of the uid only", async () => {
    const streams = new OpenStreams(settings, frames);
    const [a1, a2, b] = [open(streams, "a"), open(streams, "a"), open(streams, "b")];
    expect(streams.deliver("a", (counts) => bytes(`msg with unread ${counts.unread}\n`))).toBe(2);
    expect(streams.deliver("nobody", () => bytes("x"))).toBe(0);
    for (const tab of [a1, a2]) await tab.until(() => tab.text === "hello\nmsg with unread 1\n", "the message");
    expect(b.text).toBe("hello\n");
    expect([streams.countsOf("a"), streams.countsOf("b"), streams.countsOf("nobody")]).toEqual([{ unread: 1, unseen: 1 }, ZERO, undefined]);
    expect([streams.size, streams.users]).toEqual([3, 2]);
  });

  it("asks for a broadcast's bytes once per uid, with that uid's new count", async () => {
    const streams = new OpenStreams(settings, frames);
    const tabs = [open(streams, "a"), open(streams, "a"), open(streams, "b")];
    streams.deliver("a", () => bytes(""));
    const asked: number[] = [];
    const chunkFor = (counts: InboxCounts) => {
      asked.push(counts.unread);
      return bytes(`all ${counts.unread}\n`);
    };
    expect(streams.deliverToAll(chunkFor)).toBe(3);
    expect(asked.sort()).toEqual([1, 2]);
    await tabs[2]!.until(() => tabs[2]!.text.endsWith("all 1\n"), "the broadcast");
  });

  it("tells the tabs a recounted unread count only when it changed", async () => {
    const streams = new OpenStreams(settings, frames);
    const tab = open(streams, "a");
    streams.recount("a", ZERO);
    streams.recount("a", { unread: 5, unseen: 2 });
    streams.recount("offline", { unread: 3, unseen: 3 });
    await tab.until(() => tab.text.includes("unread 5/2"), "the new counts");
    expect(tab.text).toBe("hello\nunread 5/2\n");
    expect(streams.countsOf("offline")).toBeUndefined();
  });

  it("drops a tab whose reader went away as gone, and forgets the uid with its last tab", async () => {
    const streams = new OpenStreams(settings, frames);
    const tab = open(streams, "a");
    await tab.cancel();
    expect([streams.size, streams.users, streams.tabs("a")]).toEqual([0, 0, 0]);
    expect(streams.dropped).toMatchObject({ gone: 1 });
    expect(streams.deliver("a", () => bytes("late"))).toBe(0);
  });

  it("cuts a reader that falls MAX_QUEUE_BYTES behind as slow, and the other tab keeps receiving", async () => {
    const streams = new OpenStreams(settings, frames);
    const neverRead = streams.open("a", null, ZERO, [bytes("hello\n")]);
    const reader = open(streams, "a");
    const chunk = bytes("x".repeat(300));
    const written: number[] = [];
    // The reader reads between messages; the other stream is never read.
    for (let i = 0; i < 10 && written.at(-1) !== 1; i++) {
      written.push(streams.deliver("a", () => chunk));
      await reader.until(() => reader.text.split("x").length - 1 === 300 * written.length, "the message");
    }
    expect(written[0]).toBe(2);
    expect(written.at(-1)).toBe(1);
    expect(streams.dropped).toMatchObject({ slow: 1 });
    // Errored, so its backlog is gone at once.
    await expect(neverRead.getReader().read()).rejects.toThrow(/MAX_QUEUE_BYTES/);
  });

  it("closes the oldest live tab past MAX_STREAMS_PER_UID only after a grace period, as replaced", async () => {
    const streams = new OpenStreams(settings, frames);
    const [oldest, middle] = [open(streams, "a"), open(streams, "a")];
    const newest = open(streams, "a");
    expect(streams.tabs("a")).toBe(3);
    await oldest.until(() => oldest.ended, "the oldest tab to close", REPLACE_GRACE_MS + 1000);
    expect([middle.ended, newest.ended, streams.tabs("a")]).toEqual([false, false, 2]);
    expect(streams.dropped).toMatchObject({ replaced: 1 });
  });

  it("counts only live tabs against MAX_STREAMS_PER_UID: a tab that died meanwhile leaves instead of a live one", async () => {
    const streams = new OpenStreams(settings, frames);
    const [oldest, reloading] = [open(streams, "a"), open(streams, "a")];
    const fresh = open(streams, "a");
    await reloading.cancel();
    await new Promise((resolve) => setTimeout(resolve, REPLACE_GRACE_MS + 100));
    expect([oldest.ended, fresh.ended, streams.tabs("a")]).toEqual([false, false, 2]);
    expect(streams.dropped).toMatchObject({ replaced: 0, gone: 1 });
  });

  it("pings every tab within one heartbeat even when each leaves as soon as it is pinged", async () => {
    // The crowd that closed together: on workerd each dead tab is found by the
    // first ping written to it, so tabs leave while the heartbeat goes round.
    // Each tab has its own eighth of the heartbeat, whatever leaves meanwhile;
    // a heartbeat that spread the remaining tabs over its slices anew would
    // take about 40 slices here. Timers in a loaded run are late: the bound is two.
    const heartbeatMs = 400;
    const streams = new OpenStreams({ ...settings, heartbeatMs }, frames);
    const tabs = Array.from({ length: 700 }, (_, i) => open(streams, `u${i}`));
    for (const tab of tabs) void tab.until(() => tab.text.includes(": ping"), "a ping", 10 * heartbeatMs).then(() => tab.cancel());
    const start = Date.now();
    await Promise.all(tabs.map((tab) => tab.done));
    expect(Date.now() - start).toBeLessThan(2 * heartbeatMs);
    expect(streams.size).toBe(0);
  });

  it("closes a stream at the first heartbeat after its token expires, as expired", async () => {
    const streams = new OpenStreams(settings, frames);
    const expiring = open(streams, "a", "hello\n", Date.now() + 20);
    const lasting = open(streams, "b", "hello\n", Date.now() + 60_000);
    await expiring.until(() => expiring.ended, "the expired stream to close");
    expect(lasting.ended).toBe(false);
    expect(streams.dropped).toMatchObject({ expired: 1 });
  });
});
