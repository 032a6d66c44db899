// A test's view of one SSE stream: the raw text and the parsed events, read
// through eventsource-parser. Every wait has a deadline; every stream opened
// here is cancelled by `closeAllStreams` after each test.
import { env, exports } from "cloudflare:workers";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { hubFor } from "../../src/hub/shards";
import { toHubRequest } from "../../src/hub/subscribe-request";
import { type InboxCounts, RESERVED_EVENTS } from "../../src/messages";
import { readSettings } from "../../src/settings";

export const BASE = "https://inbox.test";
const DEFAULT_WAIT_MS = 3000;

const openClients = new Set<SseClient>();

export class SseClient {
  readonly events: EventSourceMessage[] = [];
  readonly comments: string[] = [];
  raw = "";
  ended = false;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly waiters = new Set<() => void>();

  constructor(readonly response: Response) {
    this.reader = response.body!.getReader();
    openClients.add(this);
    void this.pump();
  }

  /** The published messages' data (every event with an id but the hub's own), parsed as JSON. */
  messages<T = Record<string, unknown>>(): T[] {
    return this.events.filter((e) => e.id !== undefined && !RESERVED_EVENTS.includes(e.event ?? "")).map((e) => JSON.parse(e.data) as T);
  }

  /** The unread counts carried by `unread` events, in order. */
  unreadCounts(): number[] {
    return this.counts().map((counts) => counts.unread);
  }

  /** Every `unread` event's counts, in order. */
  counts(): InboxCounts[] {
    return this.named("unread").map((e) => JSON.parse(e.data) as InboxCounts);
  }

  named(event: string): EventSourceMessage[] {
    return this.events.filter((e) => e.event === event);
  }

  /** Wait until `ready()` holds, or fail after `ms`. */
  async until(ready: () => boolean, what: string, ms = DEFAULT_WAIT_MS): Promise<void> {
    if (ready()) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!ready()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(this.raw.slice(-600))}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  untilEvents(count: number, ms?: number): Promise<void> {
    return this.until(() => this.events.length >= count, `${count} events`, ms);
  }

  untilMessages(count: number, ms?: number): Promise<void> {
    return this.until(() => this.messages().length >= count, `${count} messages`, ms);
  }

  untilEnded(ms?: number): Promise<void> {
    return this.until(() => this.ended, "the stream to end", ms);
  }

  async close(): Promise<void> {
    openClients.delete(this);
    await this.reader.cancel().catch(() => {});
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    const parser = createParser({
      onEvent: (event) => this.events.push(event),
      onComment: (comment) => this.comments.push(comment),
    });
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        this.raw += text;
        parser.feed(text);
        this.notify();
      }
    } catch {
      // Cancelled by the test or errored by the hub: either way the stream is over.
    }
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export async function fetchWorker(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(new URL(path, BASE), init));
}

export interface OpenOptions {
  readonly lastEventId?: string;
  /** Extra query parameters, e.g. lastEventId or token. */
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

/** Open `GET /push?uid=` and wait for the greeting to be parsed. */
export async function openStream(uid: string, options: OpenOptions = {}): Promise<SseClient> {
  const headers = new Headers(options.headers);
  if (options.lastEventId !== undefined) headers.set("Last-Event-ID", options.lastEventId);
  const query = new URLSearchParams({ uid, ...options.query });
  const response = await fetchWorker(`/push?${query}`, { headers });
  if (response.status !== 200) throw new Error(`GET /push answered ${response.status}: ${await response.text()}`);
  const client = new SseClient(response);
  // The hub sends the greeting and then the unread count before going live.
  await client.until(() => client.named("unread").length > 0, "the opening unread event");
  return client;
}

/**
 * A stream read straight from uid's hub, for tests that abort the hub under it:
 * through the Worker, the abort also breaks the Worker's pump of the body,
 * which workerd logs as an internal exception with a stack.
 */
export async function openHubStream(uid: string): Promise<SseClient> {
  const hub = hubFor(env.PUSH_HUB, uid, readSettings(env).hubShards);
  const client = new SseClient(await hub.fetch(toHubRequest({ uid, resumeFrom: undefined, expiresAt: null })));
  await client.until(() => client.named("unread").length > 0, "the opening unread event");
  return client;
}

export async function closeAllStreams(): Promise<void> {
  await Promise.all([...openClients].map((client) => client.close()));
}
