// What a publisher does after publishing, across every shard: retract a
// message, ask what became of it, erase a user.
import * as v from "valibot";
import { HttpError } from "./errors";
import { callHub } from "./hub/calls";
import type { MessageRef, PushHub, ReceiptPart } from "./hub/push-hub";
import { callEveryShard, hubFor } from "./hub/shards";
import type { EraseResult, MessageReceipt, RetractResult } from "./messages";
import { MessageIdText } from "./validate";

/**
 * How the hubs should look the message up: with one hub a decimal path is
 * its id (or else a key that happens to be digits); with shards every copy
 * has its own id, so the path is always the key.
 */
export function messageRef(path: string, shards: number): MessageRef {
  const asId = v.safeParse(MessageIdText, path);
  return { id: shards === 1 && asId.success ? asId.output : null, key: path };
}

const notFound = (path: string) =>
  new HttpError(404, `no message ${JSON.stringify(path)}: it was never published, or it expired, was retracted or trimmed`);

export async function retractEverywhere(namespace: DurableObjectNamespace<PushHub>, shards: number, path: string): Promise<RetractResult> {
  const ref = messageRef(path, shards);
  // Retracting twice removes it once: safe to retry.
  const ids = (await callEveryShard(namespace, shards, (hub) => hub.retract(ref), true)).filter((id) => id !== null);
  if (ids.length === 0) throw notFound(path);
  return { code: 0, ids: ids.map(String) };
}

export async function receiptEverywhere(namespace: DurableObjectNamespace<PushHub>, shards: number, path: string): Promise<MessageReceipt> {
  const ref = messageRef(path, shards);
  const parts = (await callEveryShard(namespace, shards, (hub) => hub.receipt(ref), true)).filter(
    (part): part is ReceiptPart => part !== null,
  );
  const first = parts[0];
  if (first === undefined) throw notFound(path);
  const sum = (pick: (part: ReceiptPart) => number) => parts.reduce((total, part) => total + pick(part), 0);
  return {
    code: 0,
    ids: parts.map((part) => String(part.id)),
    event: first.event,
    ts: first.ts,
    broadcast: first.broadcast,
    audience: first.broadcast ? null : sum((part) => part.audience ?? 0),
    written: sum((part) => part.written),
    seen: sum((part) => part.seen),
    read: sum((part) => part.read),
  };
}

export async function eraseUser(namespace: DurableObjectNamespace<PushHub>, shards: number, uid: string): Promise<EraseResult> {
  // Erasing twice erases once: safe to retry.
  const erased = await callHub(
    () => hubFor(namespace, uid, shards),
    (hub) => hub.erase(uid),
    true,
  );
  return { code: 0, uid, ...erased };
}
