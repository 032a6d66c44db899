// subscribe(): the stream of one uid, its events handed out typed.
//
// The stream is fetch streaming (connection.ts), not EventSource: so the
// token travels in a header, every answer's status and reason are known,
// a half-open connection is caught by a heartbeat watchdog, and every event
// name is heard. In a browser page the tabs of one uid share one stream
// (tab-group.ts); elsewhere, or with shareAcrossTabs: false, the
// subscription holds its own.
import { type Connection, type ConnectionOptions, openConnection } from "./connection";
import { Delivery, type DeliveryCallbacks, safely } from "./delivery";
import type { InboxTarget } from "./endpoint";
import type { ConnectionState, StateChange } from "./state";
import { inBrowserPage, type StreamSink, TabGroup, tabGroupsSupported } from "./tab-group";
import { tokenSourceFor } from "./token-source";

/** Until the hub says otherwise with `retry:`: the first backoff window. */
export const DEFAULT_RETRY_BASE_MS = 1000;
export const DEFAULT_RETRY_MAX_MS = 30_000;

export interface SubscribeOptions<T = unknown> extends InboxTarget, DeliveryCallbacks<T> {
  /** Every change of state or of its reason (see StateChange). */
  readonly onState?: (state: ConnectionState, change: StateChange) => void;
  /** Abort and reconnect after this long without a byte. Default: 2.5 × the heartbeat the hub states (62.5 s until it does). */
  readonly heartbeatTimeoutMs?: number;
  /** The first backoff window until the hub sends `retry:`; default 1000. */
  readonly retryBaseMs?: number;
  /** The largest backoff window; default 30000. A server's Retry-After or busy retryMs may still ask for more. */
  readonly retryMaxMs?: number;
  /**
   * Share one stream among the tabs of this origin that subscribe to this uid
   * (Web Locks + BroadcastChannel). Default: true in a browser page that has
   * both APIs; false in Node, Workers and where they are missing.
   */
  readonly shareAcrossTabs?: boolean;
}

export interface Subscription {
  readonly state: ConnectionState;
  /** The latest change, with its reason. */
  readonly change: StateChange;
  /** The resume point: the newest id seen (a message's, or the hub's head). */
  readonly lastEventId: string | undefined;
  /** The event names delivered to onMessage, or "*". */
  readonly events: readonly string[] | "*";
  /** Deliver events of this name to onMessage too, from now on. */
  listen(event: string): void;
  /** Stop for good: the stream closes (or passes to another tab) and no callback runs again. */
  close(): void;
}

export function subscribe<T = unknown>(options: SubscribeOptions<T>): Subscription {
  const delivery = new Delivery<T>(options);
  let change: StateChange = { state: "connecting", failures: 0, leader: true };
  let closed = false;
  const show = (next: StateChange) => {
    if (closed) return;
    change = next;
    if (next.state === "closed") closed = true;
    safely(options.onState, next.state, next);
  };

  const tokens = tokenSourceFor(options);
  const connect = (sink: StreamSink, continueBackoff?: ConnectionOptions["continueBackoff"]): Connection =>
    openConnection({
      target: options,
      tokens,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      retryBaseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
      retryMaxMs: options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS,
      continueBackoff,
      resumeFrom: () => delivery.lastEventId,
      onFrame: sink.frame,
      onState: sink.state,
      onAlive: sink.alive,
    });

  let stream: { close(): void };
  if (options.shareAcrossTabs ?? inBrowserPage()) {
    if (!tabGroupsSupported()) throw new TypeError("shareAcrossTabs needs Web Locks and BroadcastChannel, which this runtime lacks");
    change = { ...change, leader: false };
    stream = new TabGroup(groupName(options), {
      lead: connect,
      deliver: (frame) => !closed && delivery.receive(frame),
      show,
      snapshot: () => delivery.snapshot(),
      adopt: (snapshot) => !closed && delivery.adopt(snapshot),
    });
  } else {
    stream = connect({
      frame: (frame) => !closed && delivery.receive(frame),
      state: (next) => show({ ...next, leader: true }),
      alive: () => {},
    });
  }

  return {
    get state() {
      return change.state;
    },
    get change() {
      return change;
    },
    get lastEventId() {
      return delivery.lastEventId;
    },
    get events() {
      return delivery.events;
    },
    listen: (name) => delivery.listen(name),
    close() {
      stream.close();
      show({ state: "closed", reason: "closed", failures: change.failures, leader: change.leader });
    },
  };
}

/** Tabs share a stream when they listen to the same uid of the same Worker. */
const groupName = (target: InboxTarget) => `edge-inbox ${new URL(target.url).origin} ${target.uid}`;
