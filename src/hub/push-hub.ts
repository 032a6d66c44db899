// The PushHub Durable Object: holds every open stream of its uids in memory,
// stores each message in SQLite before fanning it out, replays on resume,
// and keeps the inbox's read state.
import { DurableObject } from "cloudflare:workers";
import type { InboxPage, PublishResult } from "../messages";
import { failedHubRetryMs, jitteredMs } from "../retry-delay";
import { readSettings, type Settings } from "../settings";
import { busyResponse, sseResponse } from "../sse/response";
import type { Publish } from "../update";
import { Admission } from "./admission";
import { encode, messageFrame, openingBytes, PING, resetFrame, unreadFrame } from "./frames";
import { History, type StoredMessage } from "./history";
import { type DropReason, OpenStreams, type Subscriber } from "./streams";
import { fromHubRequest, type Subscription } from "./subscribe-request";

/** More missed messages than this on resume: send `reset` and let the client reload its inbox. */
export const MAX_REPLAY = 1000;
const TRIM_DELAY_MS = 60_000;
const TRIM_AGAIN_MS = 10 * 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The heartbeat runs in this many slices per HEARTBEAT_MS; a pass over all uids takes one slice less. */
const HEARTBEAT_SLICES = 8;

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
  private readonly settings: Settings;
  private readonly history: History;
  private readonly streams: OpenStreams;
  private readonly admission: Admission;
  /** Unread counts of the uids with an open stream, kept in step with every change. */
  private readonly unreadByUid = new Map<string, number>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private trimScheduled = false;
  private lastTs = 0;
  private published = 0;
  private delivered = 0;
  private readonly dropped: Record<DropReason, number> = { gone: 0, slow: 0, replaced: 0, expired: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.settings = readSettings(env);
    this.history = new History(ctx.storage.sql, ctx.storage);
    this.admission = new Admission(this.settings);
    this.streams = new OpenStreams(this.settings, (subscriber, reason) => this.onDrop(subscriber, reason));
  }

  /** `GET /push`, forwarded by the Worker after it checked uid and token. */
  override async fetch(request: Request): Promise<Response> {
    const subscription = fromHubRequest(request);
    const refusal = this.admission.refusal(this.streams.size, this.streams.tabs(subscription.uid), Date.now());
    if (refusal !== undefined) return busyResponse(refusal);
    try {
      return sseResponse(this.subscribe(subscription));
    } catch (error) {
      // Storage failed mid-connect: the browser is told to come back, not shown an error it would never retry.
      console.error(`connect failed: ${error instanceof Error ? error.message : String(error)}`);
      const retryMs = failedHubRetryMs(false, this.settings.retryMs);
      return busyResponse({ reason: "error", error: "the hub failed to open the stream; retrying by itself", retryMs });
    }
  }

  /**
   * Opening, replay, unread count and registration happen in one synchronous
   * turn: nothing can be published in between, so replay and live never
   * overlap or leave a gap.
   */
  private subscribe({ uid, lastEventId, expiresAt }: Subscription): ReadableStream<Uint8Array> {
    const { subscriber, body } = this.streams.create(uid, expiresAt);
    const { retryMs, retryJitterMs, heartbeatMs, greeting } = this.settings;
    this.streams.write(subscriber, openingBytes(jitteredMs(retryMs, retryJitterMs), heartbeatMs, greeting));
    const head = this.history.headId();
    if (lastEventId !== undefined) this.replay(subscriber, lastEventId, head);
    const unread = this.unreadOf(uid);
    this.streams.write(subscriber, encode(unreadFrame(unread, head)));
    this.streams.register(subscriber);
    // Cached only while the uid has a stream; onDrop forgets it with the last tab.
    if (subscriber.open) this.unreadByUid.set(uid, unread);
    this.startHeartbeat();
    return body;
  }

  private replay(subscriber: Subscriber, lastEventId: string, head: number): void {
    const after = /^(0|[1-9][0-9]{0,15})$/.test(lastEventId) ? Number(lastEventId) : NaN;
    const missed =
      after >= this.history.trimmedUpTo() && after <= head ? this.history.messagesAfter(subscriber.uid, after, MAX_REPLAY + 1) : undefined;
    if (missed === undefined || missed.length > MAX_REPLAY) {
      this.streams.write(subscriber, encode(resetFrame(head)));
      return;
    }
    if (missed.length === 0) return;
    const bytes = encode(missed.map((message) => this.frameFor(message, subscriber.uid)).join(""));
    // A backlog that would fill most of the queue would get the stream cut as
    // slow, and the client would reconnect into the same wall: reset instead.
    this.streams.write(subscriber, bytes.byteLength > this.settings.maxQueueBytes / 2 ? encode(resetFrame(head)) : bytes);
  }

  private frameFor(message: StoredMessage, uid: string): string {
    return messageFrame(message.id, message.event, message.isAll ? null : uid, message.msgJson, message.ts);
  }

  /** `POST /update`, validated by the Worker. Stored first, then fanned out. */
  publish(publish: Publish): PublishResult {
    const now = Date.now();
    if (publish.key !== undefined) {
      const first = this.history.idempotentResult(publish.key, now);
      if (first !== undefined) return first;
    }
    // Date.now() can stand still or step back; stored times never go backwards.
    this.lastTs = Math.max(this.lastTs, now);
    const ts = this.lastTs;
    const id = this.history.insert(publish.audience, publish.event, publish.msgJson, ts);
    const stored: StoredMessage = { id, event: publish.event, msgJson: publish.msgJson, ts, isAll: publish.audience.all };
    const delivered = publish.audience.all ? this.fanOutToAll(stored) : this.fanOutTo(publish.audience.uids, stored);
    const result: PublishResult = { code: 0, id: String(id), delivered };
    if (publish.key !== undefined) this.history.rememberResult(publish.key, result, now);
    this.published++;
    this.delivered += delivered;
    this.scheduleTrim();
    return result;
  }

  private fanOutTo(uids: readonly string[], message: StoredMessage): number {
    let delivered = 0;
    for (const uid of uids) {
      const unread = this.unreadByUid.get(uid);
      if (unread === undefined) continue; // offline: the inbox keeps it
      this.unreadByUid.set(uid, unread + 1);
      delivered += this.streams.writeToUid(uid, encode(this.frameFor(message, uid) + unreadFrame(unread + 1)));
    }
    return delivered;
  }

  /** One encoding of the message for everyone; one chunk per distinct unread count. */
  private fanOutToAll(message: StoredMessage): number {
    const frame = messageFrame(message.id, message.event, null, message.msgJson, message.ts);
    const chunkByUnread = new Map<number, Uint8Array>();
    for (const [uid, unread] of this.unreadByUid) this.unreadByUid.set(uid, unread + 1);
    return this.streams.writeToAll((uid) => {
      const unread = this.unreadByUid.get(uid) ?? 0;
      let chunk = chunkByUnread.get(unread);
      if (chunk === undefined) {
        chunk = encode(frame + unreadFrame(unread));
        chunkByUnread.set(unread, chunk);
      }
      return chunk;
    });
  }

  inbox(uid: string, beforeId: number | null, limit: number): InboxPage {
    const page = this.history.inboxPage(uid, beforeId ?? Number.MAX_SAFE_INTEGER, limit);
    return { messages: page.messages, unread: this.unreadOf(uid), next: page.next };
  }

  /** Mark read by ids and/or everything up to an id; every open tab hears the new count. */
  markRead(uid: string, ids: readonly number[], upTo: number | null): { unread: number } {
    if (upTo !== null) this.history.markReadUpTo(uid, upTo);
    if (ids.length > 0) this.history.markRead(uid, ids);
    return { unread: this.recountUnread(uid) };
  }

  stats(): HubStats {
    return {
      streams: this.streams.size,
      users: this.streams.users,
      published: this.published,
      delivered: this.delivered,
      dropped: { ...this.dropped },
    };
  }

  presence(uid: string): UserPresence {
    const tabs = this.streams.tabs(uid);
    return { online: tabs > 0, tabs };
  }

  /** Retention runs here, never on the publish path. */
  override async alarm(): Promise<void> {
    this.trimScheduled = false;
    this.applyRetention(Date.now());
    if (!this.history.isEmpty()) this.scheduleTrim(TRIM_AGAIN_MS);
  }

  /** Drop what HISTORY_DAYS and HISTORY_MAX no longer keep as of `now`; returns how many went. */
  applyRetention(now: number): number {
    const trimmed = this.history.trim(now, this.settings.historyDays * DAY_MS, this.settings.historyMax);
    if (trimmed > 0) this.refreshUnreadCounts();
    return trimmed;
  }

  /** Trimmed messages may have been unread: recount for everyone online. */
  private refreshUnreadCounts(): void {
    for (const uid of [...this.unreadByUid.keys()]) this.recountUnread(uid);
  }

  /** The uid's count from storage; an online uid's cache is updated and its tabs told when it changed. */
  private recountUnread(uid: string): number {
    const before = this.unreadByUid.get(uid);
    const unread = this.history.unreadCount(uid);
    if (before !== undefined) {
      this.unreadByUid.set(uid, unread);
      if (before !== unread) this.streams.writeToUid(uid, encode(unreadFrame(unread)));
    }
    return unread;
  }

  private scheduleTrim(delayMs = TRIM_DELAY_MS): void {
    if (this.trimScheduled) return;
    this.trimScheduled = true;
    void this.ctx.storage.setAlarm(Date.now() + delayMs);
  }

  private unreadOf(uid: string): number {
    return this.unreadByUid.get(uid) ?? this.history.unreadCount(uid);
  }

  private onDrop(subscriber: Subscriber, reason: DropReason): void {
    this.dropped[reason]++;
    if (this.streams.tabs(subscriber.uid) === 0) this.unreadByUid.delete(subscriber.uid);
    if (this.streams.size === 0) this.stopHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(
      () => this.streams.pingSlice(PING, Date.now(), Math.ceil(this.streams.users / (HEARTBEAT_SLICES - 1))),
      this.settings.heartbeatMs / HEARTBEAT_SLICES,
    );
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
