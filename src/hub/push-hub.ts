// The PushHub Durable Object: holds every open stream of its uids in memory,
// stores each message in SQLite before fanning it out, replays on resume,
// and keeps the inbox's read state. Its RPC surface is exactly what the
// Worker calls; everything else is #private.
import { DurableObject } from "cloudflare:workers";
import type { InboxPage, PublishResult } from "../messages";
import { failedHubRetryMs, jitteredMs } from "../retry-delay";
import { readSettings, type Settings } from "../settings";
import { busyResponse, sseResponse } from "../sse/response";
import type { Publish } from "../update";
import { Admission } from "./admission";
import { encode, messageFrame, openingBytes, PING, resetFrame, unreadFrame } from "./frames";
import { History, type StoredMessage } from "./history";
import { type DropReason, OpenStreams } from "./streams";
import { fromHubRequest, type ResumePoint, type Subscription } from "./subscribe-request";

/** More missed messages than this on resume: send `reset` and let the client reload its inbox. */
export const MAX_REPLAY = 1000;
const TRIM_DELAY_MS = 60_000;
const TRIM_AGAIN_MS = 10 * 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface HubStats {
  readonly streams: number;
  readonly users: number;
  readonly published: number;
  readonly delivered: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
}

export interface UserPresence {
  readonly online: boolean;
  readonly tabs: number;
}

export class PushHub extends DurableObject<Env> {
  readonly #settings: Settings;
  readonly #history: History;
  readonly #streams: OpenStreams;
  readonly #admission: Admission;
  #trimScheduled = false;
  #lastTs = 0;
  #published = 0;
  #delivered = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#settings = readSettings(env);
    this.#history = new History(ctx.storage);
    this.#admission = new Admission(this.#settings);
    this.#streams = new OpenStreams(this.#settings, { ping: PING, unread: (count) => encode(unreadFrame(count)) });
  }

  /** `GET /push`, forwarded by the Worker after it checked uid, token and resume point. */
  override async fetch(request: Request): Promise<Response> {
    const subscription = fromHubRequest(request);
    const refusal = this.#admission.refusal(this.#streams.size, this.#streams.tabs(subscription.uid), Date.now());
    if (refusal !== undefined) return busyResponse(refusal);
    try {
      return sseResponse(this.#subscribe(subscription));
    } catch (error) {
      // Storage failed mid-connect: the browser is told to come back, not shown an error it would never retry.
      console.error(`connect failed: ${error instanceof Error ? error.message : String(error)}`);
      const retryMs = failedHubRetryMs(false, this.#settings.retryMs);
      return busyResponse({ reason: "error", error: "the hub failed to open the stream; retrying by itself", retryMs });
    }
  }

  /**
   * The opening bytes, the replay, the unread count and the registration
   * happen in one synchronous turn: nothing can be published in between, so
   * replay and live never overlap or leave a gap.
   */
  #subscribe({ uid, resumeFrom, expiresAt }: Subscription): ReadableStream<Uint8Array> {
    const { retryMs, retryJitterMs, heartbeatMs, greeting } = this.#settings;
    const head = this.#history.headId();
    const unread = this.#unreadOf(uid);
    const prelude = [openingBytes(jitteredMs(retryMs, retryJitterMs), heartbeatMs, greeting)];
    const replay = resumeFrom === undefined ? undefined : this.#replay(uid, resumeFrom, head);
    if (replay !== undefined) prelude.push(replay);
    prelude.push(encode(unreadFrame(unread, head)));
    return this.#streams.open(uid, expiresAt, unread, prelude);
  }

  /** What uid missed after `resumeFrom` (nothing: undefined), or a `reset` when that cannot be replayed exactly. */
  #replay(uid: string, resumeFrom: ResumePoint, head: number): Uint8Array | undefined {
    const reset = () => encode(resetFrame(head));
    if (resumeFrom === "unknown" || resumeFrom < this.#history.trimmedUpTo() || resumeFrom > head) return reset();
    const missed = this.#history.messagesAfter(uid, resumeFrom, MAX_REPLAY + 1);
    if (missed.length === 0) return undefined;
    if (missed.length > MAX_REPLAY) return reset();
    const bytes = encode(missed.map((message) => frameFor(message, uid)).join(""));
    // A backlog that would fill most of the queue would get the stream cut as
    // slow, and the client would reconnect into the same wall: reset instead.
    return bytes.byteLength > this.#settings.maxQueueBytes / 2 ? reset() : bytes;
  }

  /** `POST /update`, validated by the Worker. Stored first, then fanned out. */
  publish(publish: Publish): PublishResult {
    const now = Date.now();
    if (publish.key !== undefined) {
      const first = this.#history.idempotentResult(publish.key, now);
      if (first !== undefined) return first;
    }
    // Date.now() can stand still or step back; stored times never go backwards.
    this.#lastTs = Math.max(this.#lastTs, now);
    const ts = this.#lastTs;
    const id = this.#history.insert(publish.audience, publish.event, publish.msgJson, ts);
    const stored: StoredMessage = { id, event: publish.event, msgJson: publish.msgJson, ts, isAll: publish.audience.all };
    const delivered = publish.audience.all ? this.#fanOutToAll(stored) : this.#fanOutTo(publish.audience.uids, stored);
    const result: PublishResult = { code: 0, id: String(id), delivered };
    if (publish.key !== undefined) this.#history.rememberResult(publish.key, result, now);
    this.#published++;
    this.#delivered += delivered;
    this.#scheduleTrim();
    return result;
  }

  #fanOutTo(uids: readonly string[], message: StoredMessage): number {
    let delivered = 0;
    for (const uid of uids) {
      // Offline uids are skipped here: the inbox keeps the message for them.
      delivered += this.#streams.deliver(uid, (unread) => encode(frameFor(message, uid) + unreadFrame(unread)));
    }
    return delivered;
  }

  /** One encoding of the message for everyone; one chunk per distinct unread count. */
  #fanOutToAll(message: StoredMessage): number {
    const frame = messageFrame(message.id, message.event, null, message.msgJson, message.ts);
    const chunkByUnread = new Map<number, Uint8Array>();
    return this.#streams.deliverToAll((unread) => {
      let chunk = chunkByUnread.get(unread);
      if (chunk === undefined) {
        chunk = encode(frame + unreadFrame(unread));
        chunkByUnread.set(unread, chunk);
      }
      return chunk;
    });
  }

  inbox(uid: string, beforeId: number | null, limit: number): InboxPage {
    const page = this.#history.inboxPage(uid, beforeId ?? Number.MAX_SAFE_INTEGER, limit);
    return { messages: page.messages, unread: this.#unreadOf(uid), next: page.next };
  }

  /** Mark read by ids and/or everything up to an id; every open tab hears the new count. */
  markRead(uid: string, ids: readonly number[], upTo: number | null): { unread: number } {
    if (upTo !== null) this.#history.markReadUpTo(uid, upTo);
    if (ids.length > 0) this.#history.markRead(uid, ids);
    return { unread: this.#recountUnread(uid) };
  }

  stats(): HubStats {
    return {
      streams: this.#streams.size,
      users: this.#streams.users,
      published: this.#published,
      delivered: this.#delivered,
      dropped: this.#streams.dropped,
    };
  }

  presence(uid: string): UserPresence {
    const tabs = this.#streams.tabs(uid);
    return { online: tabs > 0, tabs };
  }

  /** Retention runs here, never on the publish path. */
  override async alarm(): Promise<void> {
    this.#trimScheduled = false;
    const trimmed = this.#history.trim(Date.now(), this.#settings.historyDays * DAY_MS, this.#settings.historyMax);
    // Trimmed messages may have been unread: recount for everyone online.
    if (trimmed > 0) for (const uid of this.#streams.onlineUids()) this.#recountUnread(uid);
    if (!this.#history.isEmpty()) this.#scheduleTrim(TRIM_AGAIN_MS);
  }

  /** The uid's count from storage; its open tabs hear it when it changed. */
  #recountUnread(uid: string): number {
    const unread = this.#history.unreadCount(uid);
    this.#streams.recount(uid, unread);
    return unread;
  }

  #unreadOf(uid: string): number {
    return this.#streams.unreadOf(uid) ?? this.#history.unreadCount(uid);
  }

  #scheduleTrim(delayMs = TRIM_DELAY_MS): void {
    if (this.#trimScheduled) return;
    this.#trimScheduled = true;
    void this.ctx.storage.setAlarm(Date.now() + delayMs);
  }
}

function frameFor(message: StoredMessage, uid: string): string {
  return messageFrame(message.id, message.event, message.isAll ? null : uid, message.msgJson, message.ts);
}
