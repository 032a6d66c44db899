// The client's reading of the hub's events, checked on the bytes the hub itself writes.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { readFrame, statedHeartbeatMs } from "../../src/client/frames";
import { countsFrame, messageFrame, resetFrame } from "../../src/hub/frames";
import { formatEvent, formatOpening } from "../../src/sse/format";
import { formatBusy } from "../../src/sse/response";

function parse(text: string): { events: EventSourceMessage[]; comments: string[] } {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event), onComment: (comment) => comments.push(comment) });
  parser.feed(text);
  return { events, comments };
}

describe("reading the hub's frames", () => {
  it("reads the opening: the stated heartbeat, the greeting, the unread count with the head as id", () => {
    const { events, comments } = parse(formatOpening(3000, 15_000, "站内信链接成功！") + countsFrame({ unread: 2, unseen: 1 }, 41));
    expect(comments.map(statedHeartbeatMs)).toEqual([15_000]);
    expect(events.map(readFrame)).toEqual([
      { kind: "greeting", text: "站内信链接成功！" },
      { kind: "unread", unread: 2 },
    ]);
    expect(events[1]!.id).toBe("41");
  });

  it("reads a message of any event name, with its id, recipient and time", () => {
    const stored = {
      id: 42,
      event: "order.shipped",
      msgJson: '{"order":7}',
      ts: 1_764_050_000_000,
      isAll: false,
      tags: [],
      expiresAt: null,
    };
    const { events } = parse(messageFrame(stored, "7"));
    expect(readFrame(events[0]!)).toEqual({
      kind: "message",
      event: "order.shipped",
      message: { id: "42", uid: "7", msg: { order: 7 }, ts: 1_764_050_000_000 },
    });
  });

  it("reads reset and busy", () => {
    expect(readFrame(parse(resetFrame(9)).events[0]!)).toEqual({ kind: "reset", lastEventId: "9" });
    const busy = parse(formatBusy({ reason: "full", error: "this hub holds MAX_STREAMS (6) streams", retryMs: 4200 })).events[0]!;
    expect(readFrame(busy)).toEqual({
      kind: "busy",
      notice: { reason: "full", error: "this hub holds MAX_STREAMS (6) streams", retryMs: 4200 },
    });
  });

  it("skips what it cannot read instead of guessing", () => {
    expect(readFrame({ event: "unread", data: "{}" })).toEqual({ kind: "other" });
    expect(readFrame({ event: "busy", data: '{"reason":"bored","retryMs":1}' })).toEqual({ kind: "other" });
    expect(readFrame({ id: "3", event: "like", data: "not json" })).toEqual({ kind: "other" });
    // A named event without an id is not a stored message, and only the default name can be the greeting.
    expect(readFrame({ event: "like", data: '{"id":"3","uid":null,"msg":1,"ts":1}' })).toEqual({ kind: "other" });
    expect(readFrame(parse(formatEvent({ event: "retract", data: '{"id":"3"}' })).events[0]!)).toEqual({ kind: "other" });
    expect(statedHeartbeatMs("ping")).toBeUndefined();
    expect(statedHeartbeatMs("heartbeat 0")).toBeUndefined();
  });
});
