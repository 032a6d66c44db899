// The PushHub Durable Object: holds every open stream of its uids in memory,
// stores each message in SQLite before fanning it out, replays on resume,
// and keeps each uid's inbox state. Its RPC surface is exactly what the
// Worker calls; everything else is #private.
import { DurableObject } from "cloudflare:workers";
import type { InboxAction, InboxCounts, InboxPage, InboxStatus, MessageReceipt, Presence, PublishResult, ShardStats } from "../messages";
import { failedHubRetryMs, jitteredMs } from "../retry-delay";
import { readSettings, type Settings } from "../settings";
import { busyResponse, sseResponse } from "../sse/response";
import type { Publish } from "../update";
import { Admission } from "./admission";
import { countsFrame, encode, messageFrame, openingBytes, PING, resetFrame, retractFrame } from "./frames";
import { History, type RemovedMessage, type StoredMessage } from "./history";
import { Inbox } from "./inbox";
import { OpenStreams } from "./streams";
import { fromHubRequest, type ResumePoint, type Subscription } from "./subscribe-request";

/** More missed messages than this on resume: send `reset` and let the client reload its inbox. */
export const MAX_REPLAY = 1000;
const TRIM_DELAY_MS = 60_000;
const TRIM_AGAIN_MS = 10 * 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A publish as the Worker hands it over: parsed, fingerprinted, and named across shards. */
export interface HubPublish extends Omit<Publish, "canonical"> {
  /** SHA-256 of the request, when it has a key: a repeat that differs is a conflict. */
  readonly fingerprint: string;
  readonly ref: string | null;
}

/**
 * Each message's answer, in order; or, when a message's key was used for a
 * different request within 24 hours, that message's index and nothing stored.
 */
export interface PublishOutcome {
  readonly results: readonly PublishResult[];
  readonly conflictAt: number | null;
}

export interface InboxQuery {
  readonly before: number | null;
  readonly limit: number;
  readonly status: InboxStatus;
  readonly tag: string | null;
  /** Tags to count on their own. */
  readonly countTags: readonly string[];
}

/** How a publisher names a message: its key, or its id where ids are unambiguous (one hub). */
export interface MessageRef {
  readonly id: number | null;
  readonly key: string;
}

/** One shard's part of a receipt: its copy's id and counts, summed by the Worker. */
export interface ReceiptPart extends Omit<MessageReceipt, "code" | "ids"> {
  readonly id: number;
}

export class PushHub extends DurableObject<Env> {
  readonly #settings: Settings;
  readonly #history: History;
  readonly #inbox: Inbox;
  readonly #streams: OpenStreams;
  readonly #admission: Admission;
  #alarmAt: number | null = null;
  #lastTs = 0;
  #published = 0;
  #delivered = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#settings = readSettings(env);
    this.#history = new History(ctx.storage);
    this.#inbox = new Inbox(ctx.storage.sql);
    this.#admission = new Admission(this.#settings);
    this.#streams = new OpenStreams(this.#settings, { ping: PING, counts: (counts) => encode(countsFrame(counts)) });
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
   * The opening bytes, the replay, the counts and the registration happen in
   * one synchronous turn: nothing can be published in between, so replay and
   * live never overlap or leave a gap.
   */
  #subscribe({ uid, resumeFrom, expiresAt }: Subscription): ReadableStream<Uint8Array> {
    const now = Date.now();
    this.#expire(now);
    const { retryMs, retryJitterMs, heartbeatMs, greeting } = this.#settings;
    const head = this.#history.headId();
    const counts = this.#countsOf(uid);
    const prelude = [openingBytes(jitteredMs(retryMs, retryJitterMs), heartbeatMs, greeting)];
    const replay = resumeFrom === undefined ? undefined : this.#replay(uid, resumeFrom, head, now);
    if (replay !== undefined) prelude.push(replay);
    prelude.push(encode(countsFrame(counts, head)));
    return this.#streams.open(uid, expiresAt, counts, prelude);
  }

  /** What uid missed after `resumeFrom` (nothing: undefined), or a `reset` when that cannot be replayed exactly. */
  #replay(uid: string, resumeFrom: ResumePoint, head: number, now: number): Uint8Array | undefined {
    const reset = () => encode(resetFrame(head));
    if (resumeFrom === "unknown" || resumeFrom < this.#history.trimmedUpTo() || resumeFrom > head) return reset();
    const missed = this.#inbox.missedSince(uid, resumeFrom, MAX_REPLAY + 1, now);
    if (missed.length === 0) return undefined;
    if (missed.length > MAX_REPLAY) return reset();
    const bytes = encode(missed.map((message) => messageFrame(message, message.isAll ? null : uid)).join(""));
    // A backlog that would fill most of the queue would get the stream cut as
    // slow, and the client would reconnect into the same wall: reset instead.
    return bytes.byteLength > this.#settings.maxQueueBytes / 2 ? reset() : bytes;
  }

  /**
   * `POST /update`, one message or a batch, validated by the Worker. In one
   * synchronous turn: every key is checked first (a conflict stores nothing),
   * then each message is stored and fanned out as if it came alone.
   */
  publish(parts: readonly HubPublish[]): PublishOutcome {
    const now = Date.now();
    this.#expire(now);
    const repeats = parts.map((part) => (part.key === undefined ? undefined : this.#history.repeatOf(part.key, part.fingerprint, now)));
    const conflictAt = repeats.findIndex((repeat) => repeat !== undefined && "conflict" in repeat);
    if (conflictAt >= 0) return { results: [], conflictAt };
    const fresh = parts.filter((_, i) => repeats[i] === undefined);
    const stored = this.#store(fresh, now);
    const results = parts.map((_, i) => {
      const repeat = repeats[i];
      return repeat !== undefined && "result" in repeat ? repeat.result : stored.shift()!;
    });
    this.#scheduleAlarm(now);
    return { results, conflictAt: null };
  }

  /** Stored first, all of them, then each fanned out in order as if it came alone. */
  #store(publishes: readonly HubPublish[], now: number): PublishResult[] {
    if (publishes.length === 0) return [];
    // Date.now() can stand still or step back; stored times never go backwards.
    this.#lastTs = Math.max(this.#lastTs, now);
    const ts = this.#lastTs;
    const ids = this.#history.insertAll(publishes, ts);
    const results = publishes.map((publish, i): PublishResult => {
      const message: StoredMessage = {
        id: ids[i]!,
        event: publish.event,
        msgJson: publish.msgJson,
        ts,
        isAll: publish.audience.all,
        tags: publish.tags,
        expiresAt: publish.expiresAt,
      };
      const delivered = publish.audience.all ? this.#fanOutToAll(message) : this.#fanOutTo(publish.audience.uids, message);
      this.#published++;
      this.#delivered += delivered;
      return { code: 0, id: String(message.id), delivered, ...(publish.ref === null ? {} : { key: publish.ref }) };
    });
    this.#history.recordDelivered(results.map((result, i) => [ids[i]!, result.delivered]));
    for (const [i, publish] of publishes.entries()) {
      if (publish.key !== undefined) this.#history.rememberResult(publish.key, publish.fingerprint, results[i]!, now);
    }
    return results;
  }

  #fanOutTo(uids: readonly string[], message: StoredMessage): number {
    let delivered = 0;
    for (const uid of uids) {
      // Offline uids are skipped here: the inbox keeps the message for them.
      delivered += this.#streams.deliver(uid, (counts) => encode(messageFrame(message, uid) + countsFrame(counts)));
    }
    return delivered;
  }

  /** One encoding of the message for everyone; one chunk per distinct pair of counts. */
  #fanOutToAll(message: StoredMessage): number {
    const frame = messageFrame(message, null);
    const chunkByCounts = new Map<string, Uint8Array>();
    return this.#streams.deliverToAll((counts) => {
      const key = `${counts.unread}/${counts.unseen}`;
      let chunk = chunkByCounts.get(key);
      if (chunk === undefined) {
        chunk = encode(frame + countsFrame(counts));
        chunkByCounts.set(key, chunk);
      }
      return chunk;
    });
  }

  inbox(uid: string, query: InboxQuery): InboxPage {
    const now = Date.now();
    this.#expire(now);
    const page = this.#inbox.page(uid, { ...query, before: query.before ?? Number.MAX_SAFE_INTEGER }, now);
    const byTag =
      query.countTags.length === 0 ? {} : { byTag: Object.fromEntries(query.countTags.map((tag) => [tag, this.#inbox.counts(uid, tag)])) };
    return { messages: page.messages, ...this.#countsOf(uid), next: page.next, ...byTag };
  }

  /**
   * Mark seen, read, archived, unarchived or deleted: `ids` and/or everything
   * up to `upTo` (never past the newest message, so later ones are not
   * touched). Every open tab hears the new counts.
   */
  mark(uid: string, action: InboxAction, ids: readonly number[], upTo: number | null): InboxCounts {
    this.#expire(Date.now());
    const head = this.#history.headId();
    this.#inbox.mark(uid, action, ids, upTo === null ? null : Math.min(upTo, head));
    return this.#recount(uid);
  }

  /** Take a message out of every inbox of this shard; its recipients' open tabs are told. Null when it is not here. */
  retract(ref: MessageRef): number | null {
    this.#expire(Date.now());
    const id = this.#idOf(ref);
    if (id === undefined) return null;
    const removed = this.#history.retract(id);
    if (removed !== undefined) this.#announceRemoved([removed], "retracted");
    return id;
  }

  /** What became of a message on this shard; null when it is not here. */
  receipt(ref: MessageRef): ReceiptPart | null {
    this.#expire(Date.now());
    const id = this.#idOf(ref);
    const details = id === undefined ? undefined : this.#history.details(id);
    if (details === undefined) return null;
    const readers = this.#inbox.readers(details.id, details.isAll);
    return {
      id: details.id,
      event: details.event,
      ts: details.ts,
      broadcast: details.isAll,
      audience: details.audience,
      written: details.delivered,
      ...readers,
    };
  }

  /**
   * With shards: claim publishes' keys on the keys' own shard (see
   * History.claimKey). The index of the first key held by another request, or -1.
   */
  claimKeys(claims: readonly { readonly key: string; readonly fingerprint: string }[]): number {
    const now = Date.now();
    return claims.findIndex(({ key, fingerprint }) => !this.#history.claimKey(key, fingerprint, now));
  }

  /** Forget the uid: its state, the messages addressed to it alone, and its open streams. */
  erase(uid: string): { messages: number; streams: number } {
    const messages = this.#history.remove(this.#history.onlyFor(uid)).length;
    this.#inbox.erase(uid);
    return { messages, streams: this.#streams.closeAll(uid, "erased") };
  }

  stats(): ShardStats {
    return {
      streams: this.#streams.size,
      users: this.#streams.users,
      published: this.#published,
      delivered: this.#delivered,
      dropped: this.#streams.dropped,
    };
  }

  presence(uid: string): Omit<Presence, "uid"> {
    const tabs = this.#streams.tabs(uid);
    return { online: tabs > 0, tabs };
  }

  /** Expiry and retention run here, never on the publish path. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.#alarmAt = null;
    this.#expire(now);
    const trimmed = this.#history.trim(now, this.#settings.historyDays * DAY_MS, this.#settings.historyMax);
    // Trimmed messages may have been unread: recount for everyone online.
    if (trimmed > 0) for (const uid of this.#streams.onlineUids()) this.#recount(uid);
    if (!this.#history.isEmpty()) this.#scheduleAlarm(now, TRIM_AGAIN_MS);
  }

  /** Messages whose time is up leave before anything is read or counted; open tabs are told. */
  #expire(now: number): void {
    const expired = this.#history.purgeExpired(now);
    if (expired.length > 0) this.#announceRemoved(expired, "expired");
  }

  /** Tell the open tabs of everyone who had these messages, and recount them. */
  #announceRemoved(removed: readonly RemovedMessage[], reason: "retracted" | "expired"): void {
    const affected = new Set<string>();
    for (const message of removed) {
      const uids = message.isAll ? this.#streams.onlineUids() : message.uids;
      const notice = encode(retractFrame(message.id, reason));
      for (const uid of uids) if (this.#streams.tell(uid, notice) > 0) affected.add(uid);
    }
    for (const uid of affected) this.#recount(uid);
  }

  /** The uid's counts from storage; its open tabs hear them when they changed. */
  #recount(uid: string): InboxCounts {
    const counts = this.#inbox.counts(uid);
    this.#streams.recount(uid, counts);
    return counts;
  }

  /** By id when the ref may be one and such a message is here, else by key. */
  #idOf(ref: MessageRef): number | undefined {
    return (ref.id === null ? undefined : this.#history.idOf(ref.id)) ?? this.#history.idOf(ref.key);
  }

  #countsOf(uid: string): InboxCounts {
    return this.#streams.countsOf(uid) ?? this.#inbox.counts(uid);
  }

  /** One alarm for both jobs: at the next expiry, or after `delayMs` for retention, whichever is first. */
  #scheduleAlarm(now: number, delayMs = TRIM_DELAY_MS): void {
    const nextExpiry = this.#history.nextExpiry();
    const at = Math.min(now + delayMs, nextExpiry ?? Number.POSITIVE_INFINITY);
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}
