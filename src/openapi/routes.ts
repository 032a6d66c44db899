// The API as the OpenAPI document describes it: one entry per route, with the
// schemas that parse its input (the handlers in app.ts parse with the same
// ones) and what it answers.
//
// Adding a route: its input schema in requests.ts, its handler in app.ts, its
// entry here. test/openapi.test.ts fails while a route is missing from either.
import * as v from "valibot";
import type { InboxAction } from "../messages";
import { INBOX_ACTIONS, InboxQuery, MessagePath, markBody, PushHeaders, PushQuery, StatsQuery, TokenBody, UserPath } from "../requests";
import { DEFAULT_GREETING } from "../settings";
import { MAX_BATCH, PublishBatchBody, PublishBody, PublishHeaders } from "../update";
import { COMPONENTS } from "./schemas";

export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 415 | 503;

export interface Answer {
  readonly status: 200 | 302;
  readonly description: string;
  readonly mediaType?: "application/json" | "text/event-stream" | "text/html";
  readonly schema?: v.GenericSchema;
  readonly examples?: Readonly<Record<string, string>>;
  /** Response headers worth knowing: name → meaning. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiRoute {
  readonly method: "get" | "post" | "delete";
  readonly path: string;
  readonly tag: "publisher" | "subscriber" | "pages";
  readonly summary: string;
  readonly description?: string;
  /** The publisher's token; a subscriber token for the uid when SUBSCRIBE_SECRET is set; or nothing. */
  readonly auth: "publisher" | "subscriber" | "none";
  readonly query?: v.GenericSchema;
  /** Parameters in the path, named as `{name}` in `path`. */
  readonly pathParams?: v.GenericSchema;
  readonly headers?: v.GenericSchema;
  /** A JSON body, with named examples (the tests check each against the schema). */
  readonly body?: { readonly schema: v.GenericSchema; readonly examples: Readonly<Record<string, unknown>> };
  readonly answer: Answer;
  readonly errors: readonly ErrorStatus[];
}

const STREAM_EXAMPLE = [
  `retry: 4217\n: heartbeat 15000\ndata: ${DEFAULT_GREETING}\n\n`,
  `id: 41\nevent: unread\ndata: {"unread":0,"unseen":0}\n\n`,
  `id: 42\nevent: message\ndata: {"id":"42","uid":"1","msg":"hello","ts":1764050000000,"tags":["social"]}\n\n`,
  `event: unread\ndata: {"unread":1,"unseen":1}\n\n`,
  `event: retract\ndata: {"id":"42","reason":"retracted"}\n\n`,
  ": ping\n\n",
].join("");

const BUSY_EXAMPLE =
  'retry: 7342\nevent: busy\ndata: {"reason":"full","error":"this hub holds MAX_STREAMS (10000) streams; retrying by itself","retryMs":7342}\n\n';

const INBOX_ACTION_TEXT: Record<InboxAction, string> = {
  seen: "A bell marks what it showed as seen: the `unseen` count (its badge) falls.",
  read: "Read implies seen.",
  archive: "Archived messages leave the default listing and the counts; `status=archived` lists them.",
  unarchive: "Back in the listing and the counts.",
  delete: "Gone for this uid only: from its listing, counts and replay. Other recipients keep theirs.",
};

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: "get",
    path: "/push",
    tag: "subscriber",
    summary: "Stream a uid's messages (Server-Sent Events)",
    description:
      "Open with `new EventSource('/push?uid=1')`. The stream starts with `retry:` (drawn from RETRY_MS to RETRY_MS + RETRY_JITTER_MS), " +
      "`: heartbeat <HEARTBEAT_MS>` and the greeting (no `id:`, so it never moves the resume point), replays what a resuming client missed, " +
      "then sends the uid's unread count as an `unread` event (UnreadCount) whose `id:` is the hub's head, so every stream has a resume point, and goes live. " +
      "Each message is an event with `id:` (the hub's cursor), `event:` (the publisher's name, `message` by default) and `data:` (PushMessage), " +
      "followed by the new unread count. `reset` (ResetNotice) means the resume point is older than the retained history: reload the inbox. " +
      "A `: ping` comment goes out every HEARTBEAT_MS (default 15 s). Every open tab of a uid gets every message; a uid keeps at most " +
      "MAX_STREAMS_PER_UID (default 8) streams, closing its oldest for a new one, and a stream more than MAX_QUEUE_BYTES behind is closed. " +
      "A refusal that may pass (the hub at MAX_STREAMS, overloaded, restarting or failing) is also a 200 stream: `retry:` and one `busy` event " +
      "(BusyNotice), then the end; EventSource reconnects by itself after `retryMs`. Only permanent refusals have an error status.",
    auth: "subscriber",
    query: PushQuery,
    headers: PushHeaders,
    answer: {
      status: 200,
      description: "The stream: `text/event-stream; charset=utf-8`, `Cache-Control: no-cache, no-transform`, never compressed.",
      mediaType: "text/event-stream",
      schema: v.string(),
      examples: { live: STREAM_EXAMPLE, busy: BUSY_EXAMPLE },
    },
    errors: [400, 401],
  },
  {
    method: "post",
    path: "/update",
    tag: "publisher",
    summary: "Publish a message, or a batch of up to 500",
    description:
      "Stores the message for its recipients, then writes it to every open stream of theirs. " +
      "Name the recipients with `uid`, `uids` or `isAll: true` (isAll wins). The seed's body `{uid, msg, isAll}` works unchanged. " +
      `A batch is \`{"messages": [...]}\`, up to ${MAX_BATCH} bodies of a single publish, each with its own recipients, event, tags, expiry and key: ` +
      "one call, each message stored and fanned out as if sent alone, answered in order. A bad entry refuses the whole batch, naming it " +
      "(`messages[3].uid must be a string`), and nothing is stored.",
    auth: "publisher",
    headers: PublishHeaders,
    body: {
      schema: v.union([PublishBody, PublishBatchBody]),
      examples: {
        seed: { uid: "1", msg: "hello", isAll: false },
        targeted: { uid: "42", event: "like", msg: { title: "New like", body: "Ana liked your post", url: "/posts/7" } },
        several: { uids: ["42", "43"], msg: { title: "Your team has a new member" }, key: "team-7-join-ana" },
        broadcast: { isAll: true, event: "maintenance", msg: { title: "Maintenance at 22:00" } },
        tagged: { uid: "42", tags: ["social"], ttl: 86400, msg: { title: "Ana follows you", url: "/users/ana" } },
        batch: {
          messages: [
            { uid: "42", event: "like", msg: { title: "New like" }, key: "like-42-7" },
            { uids: ["43", "44"], msg: { title: "New comment" }, tags: ["social"] },
            { isAll: true, msg: { title: "Maintenance at 22:00" } },
          ],
        },
      },
    },
    answer: {
      status: 200,
      description:
        "Stored, and written to the streams open now: a PublishResult, or for a batch a BatchResult (one result per message, in order).",
      mediaType: "application/json",
      schema: v.union([COMPONENTS.PublishResult, COMPONENTS.BatchResult]),
    },
    errors: [400, 401, 409, 413, 415, 503],
  },
  {
    method: "get",
    path: "/inbox",
    tag: "subscriber",
    summary: "Read a page of a uid's inbox",
    description:
      "Newest first, up to `limit` messages; pass `next` as `before` for the following page. `status` picks all but the archived (default), " +
      "unread, unseen or archived rows; `tag` keeps one tag's; `tags` adds each tag's own counts as `byTag`. Deleted and expired messages " +
      "never show. Messages are kept HISTORY_DAYS (default 30) and at most HISTORY_MAX per hub.",
    auth: "subscriber",
    query: InboxQuery,
    answer: { status: 200, description: "A page of the inbox.", mediaType: "application/json", schema: COMPONENTS.InboxPage },
    errors: [400, 401, 503],
  },
  ...(Object.keys(INBOX_ACTIONS) as InboxAction[]).map(
    (action): ApiRoute => ({
      method: "post",
      path: INBOX_ACTIONS[action].path,
      tag: "subscriber",
      summary: `${INBOX_ACTIONS[action].verb[0]!.toUpperCase()}${INBOX_ACTIONS[action].verb.slice(1)} messages`,
      description: `${INBOX_ACTION_TEXT[action]} Takes \`ids\`, or everything up to \`upTo\` (never past the newest message), or both; ids that are not the uid's are ignored. Every open tab of the uid gets the new counts as an \`unread\` event.`,
      auth: "subscriber",
      body: {
        schema: markBody(action),
        examples: { upTo: { uid: "1", upTo: "42" }, ids: { uid: "1", ids: ["40", "41"] } },
      },
      answer: {
        status: 200,
        description: "The uid's counts after the change.",
        mediaType: "application/json",
        schema: COMPONENTS.InboxCounts,
      },
      errors: [400, 401, 413, 415, 503],
    }),
  ),
  {
    method: "post",
    path: "/token",
    tag: "publisher",
    summary: "Mint a subscriber token",
    description: "Your backend asks for a token for the signed-in user and hands it to the browser. A backend can also sign its own.",
    auth: "publisher",
    body: { schema: TokenBody, examples: { hour: { uid: "1", ttl: 3600 }, byDefault: { uid: "1" } } },
    answer: {
      status: 200,
      description: "The token and when it expires.",
      mediaType: "application/json",
      schema: COMPONENTS.TokenAnswer,
      headers: { "Cache-Control": "no-store" },
    },
    errors: [400, 401, 413, 415, 503],
  },
  {
    method: "get",
    path: "/stats",
    tag: "publisher",
    summary: "Read the hub's counters, or whether a uid is online",
    auth: "publisher",
    query: StatsQuery,
    answer: {
      status: 200,
      description: "Without `uid`: totals over all hub objects (Stats). With `uid`: that uid's open tabs (Presence).",
      mediaType: "application/json",
      schema: v.union([COMPONENTS.Stats, COMPONENTS.Presence]),
    },
    errors: [400, 401, 503],
  },
  {
    method: "delete",
    path: "/messages/{id}",
    tag: "publisher",
    summary: "Retract a message",
    description:
      "The message leaves every inbox (on every shard), open tabs of its recipients get a `retract` event naming its id, and their counts are recounted. " +
      "Name it by its id (with one hub) or by the key it was published under (always; with shards the publish answers one).",
    auth: "publisher",
    pathParams: MessagePath,
    answer: { status: 200, description: "Retracted.", mediaType: "application/json", schema: COMPONENTS.RetractResult },
    errors: [400, 401, 404, 503],
  },
  {
    method: "get",
    path: "/messages/{id}",
    tag: "publisher",
    summary: "What became of a message",
    description:
      "Its audience size (null for a broadcast), how many streams it was written to when published, how many recipients have seen and read it.",
    auth: "publisher",
    pathParams: MessagePath,
    answer: { status: 200, description: "The receipt.", mediaType: "application/json", schema: COMPONENTS.MessageReceipt },
    errors: [400, 401, 404, 503],
  },
  {
    method: "delete",
    path: "/users/{uid}",
    tag: "publisher",
    summary: "Erase a user",
    description:
      "For data-removal requests: removes the uid's read, seen, archived and deleted state, the messages addressed to it alone, " +
      "its rows in messages sent to several uids, and closes its open streams. Broadcasts stay (they are everyone's).",
    auth: "publisher",
    pathParams: UserPath,
    answer: { status: 200, description: "Erased.", mediaType: "application/json", schema: COMPONENTS.EraseResult },
    errors: [400, 401, 503],
  },
  {
    method: "get",
    path: "/message",
    tag: "pages",
    summary: "The demo inbox page",
    description:
      "Open `/message?uid=1`: it subscribes for that uid, lists its inbox and can publish (it asks for the publisher token). " +
      "DEMO_PAGE=off removes it.",
    auth: "none",
    answer: { status: 200, description: "The page.", mediaType: "text/html" },
    errors: [404],
  },
  {
    method: "get",
    path: "/",
    tag: "pages",
    summary: "Redirect to the demo page",
    auth: "none",
    answer: { status: 302, description: "To `/message?uid=1`.", headers: { Location: "/message?uid=1" } },
    errors: [404],
  },
  {
    method: "get",
    path: "/openapi.json",
    tag: "pages",
    summary: "This document",
    auth: "none",
    answer: { status: 200, description: "The API as OpenAPI 3.1.", mediaType: "application/json" },
    errors: [],
  },
];
