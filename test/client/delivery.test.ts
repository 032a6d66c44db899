import { describe, expect, it } from "vitest";
import { Delivery } from "../../src/client/delivery";

const message = (id: number, event = "message") => ({
  id: String(id),
  event,
  data: JSON.stringify({ id: String(id), uid: "1", msg: id, ts: 1 }),
});
const unread = (count: number, head?: number) => ({
  id: head === undefined ? undefined : String(head),
  event: "unread",
  data: `{"unread":${count}}`,
});

function recorder(options: { events?: string[] | "*"; lastEventId?: string } = {}) {
  const seen = {
    messages: [] as string[],
    everything: [] as string[],
    unread: [] as number[],
    resets: [] as string[],
    greetings: [] as string[],
  };
  const delivery = new Delivery({
    ...options,
    onMessage: (m) => seen.messages.push(`${m.event}:${m.id}`),
    onEvent: (m) => seen.everything.push(`${m.event}:${m.id}`),
    onUnread: (n) => seen.unread.push(n),
    onReset: (id) => seen.resets.push(id),
    onGreeting: (text) => seen.greetings.push(text),
  });
  return { delivery, seen };
}

describe("a subscription's delivery", () => {
  it("delivers each id once, whichever way it came, and keeps the newest id as the resume point", () => {
    const { delivery, seen } = recorder();
    delivery.receive(unread(0, 10));
    delivery.receive(message(9));
    delivery.receive(message(11));
    delivery.receive(message(11));
    delivery.receive(message(12, "like"));
    expect(seen.messages).toEqual(["message:11"]);
    expect(seen.everything).toEqual(["message:11", "like:12"]);
    expect(delivery.lastEventId).toBe("12");
    // A live unread count carries no id and does not move the resume point.
    delivery.receive(unread(3));
    expect(delivery.lastEventId).toBe("12");
  });

  it("follows a reset down to the hub's head", () => {
    const { delivery, seen } = recorder({ lastEventId: "500" });
    delivery.receive({ id: "20", event: "reset", data: '{"lastEventId":"20"}' });
    delivery.receive(message(21));
    expect(seen.resets).toEqual(["20"]);
    expect(seen.messages).toEqual(["message:21"]);
  });

  it("catches up with the tab that holds the stream; behind it, it is told to reload", () => {
    const fresh = recorder();
    fresh.delivery.adopt({ lastEventId: "30", unread: 2, greeting: "hi" });
    expect(fresh.seen).toMatchObject({ unread: [2], greetings: ["hi"], resets: [] });
    expect(fresh.delivery.lastEventId).toBe("30");
    const behind = recorder({ lastEventId: "25" });
    behind.delivery.adopt({ lastEventId: "30", unread: 2, greeting: undefined });
    expect(behind.seen.resets).toEqual(["30"]);
    const ahead = recorder({ lastEventId: "35" });
    ahead.delivery.adopt({ lastEventId: "30", unread: 2, greeting: undefined });
    expect(ahead.seen.resets).toEqual([]);
    expect(ahead.delivery.lastEventId).toBe("35");
  });
});
