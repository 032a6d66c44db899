// A Node-side reader of one `GET /push` stream, for tests against `wrangler dev`:
// the events parsed by eventsource-parser, every wait with a deadline, close()
// cancels the body.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { RESERVED_EVENTS } from "../../src/messages.ts";

export interface NodeStream {
  readonly events: EventSourceMessage[];
  /** The published messages' data (events with an id, not the hub's own), parsed. */
  messages<T = Record<string, unknown>>(): T[];
  until(ready: () => boolean, what: string, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function openNodeStream(url: string): Promise<NodeStream> {
  const response = await fetch(url, { headers: { Accept: "text/event-stream" }, signal: AbortSignal.timeout(60_000) });
  if (response.status !== 200 || response.body === null)
    throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const pumped = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(value);
    }
  })().catch(() => {});
  const stream: NodeStream = {
    events,
    messages: <T>() =>
      events.filter((e) => e.id !== undefined && !RESERVED_EVENTS.includes(e.event ?? "")).map((e) => JSON.parse(e.data) as T),
    async until(ready, what, ms = 5000) {
      const deadline = Date.now() + ms;
      while (!ready()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(events)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await reader.cancel().catch(() => {});
      await pumped;
    },
  };
  await stream.until(() => events.some((e) => e.event === "unread"), "the opening unread event");
  return stream;
}
