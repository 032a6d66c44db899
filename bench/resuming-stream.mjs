// One subscriber that reconnects as a browser's EventSource does (WHATWG
// HTML, server-sent events): it keeps the last `id:` it saw and sends it as
// Last-Event-ID, honours `retry:`, and after any close or network error waits
// the reconnection time and connects again. An answer that is not 200
// text/event-stream fails it for good, as it fails the browser's.
import { request } from "node:http";
import { createParser } from "eventsource-parser";

/** Chromium's reconnection time until a `retry:` line says otherwise. */
const DEFAULT_RETRY_MS = 3000;
const MAX_HEADERS_WAIT_MS = 30_000;

/**
 * `hooks`: attempt(stream) before each connect; event(stream, {id, event,
 * data}, connection) per dispatched event; dropped(stream, why) when a
 * connection ends and a reconnect is scheduled; failed(stream, why) when it
 * gives up for good.
 */
export class ResumingStream {
  lastEventId = "";
  retryMs = DEFAULT_RETRY_MS;
  /** Connections attempted so far; events are dispatched with the number of theirs. */
  connection = 0;
  state = "connecting";
  #request = null;
  #timer = null;

  constructor(port, uid, hooks) {
    this.port = port;
    this.uid = uid;
    this.hooks = hooks;
  }

  connect() {
    this.#timer = null;
    if (this.state === "closed" || this.state === "failed") return;
    this.state = "connecting";
    const connection = ++this.connection;
    this.hooks.attempt(this);
    const headers = { Accept: "text/event-stream", "Cache-Control": "no-cache" };
    if (this.lastEventId !== "") headers["Last-Event-ID"] = this.lastEventId;
    const req = request({
      host: "127.0.0.1",
      port: this.port,
      path: `/push?uid=${encodeURIComponent(this.uid)}`,
      headers,
      agent: false,
      timeout: MAX_HEADERS_WAIT_MS,
    });
    this.#request = req;
    let over = false;
    const drop = (why) => {
      if (over) return;
      over = true;
      req.destroy();
      if (this.state === "closed" || this.state === "failed") return;
      this.state = "connecting";
      this.hooks.dropped(this, why);
      this.#timer = setTimeout(() => this.connect(), this.retryMs);
    };
    req.on("timeout", () => drop("no answer in time"));
    req.on("error", (err) => drop(err.code ?? err.message));
    req.on("response", (res) => {
      req.setTimeout(0);
      const type = res.headers["content-type"] ?? "";
      if (res.statusCode !== 200 || !type.startsWith("text/event-stream")) {
        over = true;
        this.state = "failed";
        req.destroy();
        this.hooks.failed(this, `answered ${res.statusCode} ${type}`);
        return;
      }
      this.state = "open";
      const decoder = new TextDecoder();
      const parser = createParser({
        onEvent: (event) => this.hooks.event(this, event, connection),
        onRetry: (ms) => {
          this.retryMs = ms;
        },
        onId: (id) => {
          this.lastEventId = id;
        },
      });
      res.on("data", (chunk) => parser.feed(decoder.decode(chunk, { stream: true })));
      res.on("end", () => drop("ended"));
      res.on("error", (err) => drop(err.code ?? err.message));
      res.on("close", () => drop("closed"));
    });
    req.end();
  }

  close() {
    this.state = "closed";
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#request?.destroy();
  }
}
