// A TCP proxy between Chromium and `wrangler dev`, for what only a network
// in between can do: answer a request itself (a load balancer's 503, a
// firewall's 403), drop connections, or stop forwarding without closing (a
// half-open connection: a NAT that forgot the flow, a peer that vanished).
//
// It reads only the request line at the start of each chunk a browser sends:
// Chromium writes each HTTP/1.1 request head in one piece and never pipelines.
import { connect, createServer, type Socket } from "node:net";

export interface SeenRequest {
  readonly at: number;
  readonly method: string;
  /** Path and query, as sent. */
  readonly target: string;
}

/** What the proxy does instead of forwarding a request. */
export type Interception = { readonly status: number; readonly headers?: Record<string, string>; readonly body: string } | "drop";

interface Link {
  readonly browser: Socket;
  readonly server: Socket;
  target: string;
  frozen: boolean;
}

export interface TcpProxy {
  readonly baseUrl: string;
  /** Every request line seen, in order. */
  readonly requests: readonly SeenRequest[];
  /** The next `count` requests whose path and query start with `prefix` get `interception`, not the server. */
  intercept(prefix: string, interception: Interception, count: number): void;
  /** Stop forwarding, both ways, on the open connections whose latest request starts with `prefix`; they stay open. */
  freeze(prefix: string): number;
  /** Destroy the open connections whose latest request starts with `prefix`. */
  cut(prefix: string): number;
  close(): Promise<void>;
}

const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r\n/;
const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 403: "Forbidden", 429: "Too Many Requests", 503: "Service Unavailable" };

export async function startTcpProxy(upstreamPort: number): Promise<TcpProxy> {
  const links = new Set<Link>();
  const requests: SeenRequest[] = [];
  const pending: Array<{ prefix: string; interception: Interception; count: number }> = [];

  const takeInterception = (target: string): Interception | undefined => {
    const rule = pending.find((candidate) => candidate.count > 0 && target.startsWith(candidate.prefix));
    if (rule === undefined) return undefined;
    rule.count--;
    return rule.interception;
  };

  const server = createServer((browser) => {
    const upstream = connect(upstreamPort, "127.0.0.1");
    const link: Link = { browser, server: upstream, target: "", frozen: false };
    links.add(link);
    const end = () => {
      links.delete(link);
      browser.destroy();
      upstream.destroy();
    };
    browser.on("data", (chunk: Buffer) => {
      if (link.frozen) return;
      const line = REQUEST_LINE.exec(chunk.toString("latin1", 0, Math.min(chunk.length, 4096)));
      if (line !== null) {
        link.target = line[2]!;
        requests.push({ at: Date.now(), method: line[1]!, target: line[2]! });
        const interception = takeInterception(line[2]!);
        if (interception === "drop") return end();
        if (interception !== undefined) {
          upstream.destroy();
          browser.end(rawResponse(interception), () => end());
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!link.frozen) browser.write(chunk);
    });
    browser.on("error", end);
    upstream.on("error", end);
    browser.on("close", () => !link.frozen && end());
    upstream.on("close", () => !link.frozen && end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("the proxy has no port");

  const matching = (prefix: string) => [...links].filter((link) => link.target.startsWith(prefix));
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    requests,
    intercept: (prefix, interception, count) => pending.push({ prefix, interception, count }),
    freeze: (prefix) => {
      const frozen = matching(prefix);
      for (const link of frozen) link.frozen = true;
      return frozen.length;
    },
    cut: (prefix) => {
      const cut = matching(prefix);
      for (const link of cut) {
        links.delete(link);
        link.browser.destroy();
        link.server.destroy();
      }
      return cut.length;
    },
    close: async () => {
      for (const link of links) {
        link.browser.destroy();
        link.server.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function rawResponse({ status, headers = {}, body }: Exclude<Interception, "drop">): Buffer {
  const bytes = Buffer.from(body, "utf8");
  const head = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Refused"}`,
    ...Object.entries({ "Content-Type": "application/json", ...headers, "Content-Length": String(bytes.length), Connection: "close" }).map(
      ([name, value]) => `${name}: ${value}`,
    ),
  ].join("\r\n");
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, "latin1"), bytes]);
}
