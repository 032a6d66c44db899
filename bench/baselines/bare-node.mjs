// Baseline, the floor: bare node:http, one preformatted string written to
// every open response. No framework, no storage, no per-stream work.
// Usage: node bare-node.mjs <port>
import { createServer } from "node:http";

const port = Number(process.argv[2]);
const streams = new Map();

function subscribe(req, res, uid) {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  res.write("data: 站内信链接成功！\n\n");
  streams.set(uid, res);
  req.on("close", () => streams.delete(uid));
}

function publish(req, res) {
  const parts = [];
  req.on("data", (part) => parts.push(part));
  req.on("end", () => {
    const { uid, msg, isAll } = JSON.parse(Buffer.concat(parts).toString("utf8"));
    const frame = `data: ${JSON.stringify(msg)}\n\n`;
    if (isAll) for (const stream of streams.values()) stream.write(frame);
    else streams.get(String(uid))?.write(frame);
    res.writeHead(200, { "Content-Type": "application/json" }).end('{"code":0}');
  });
}

createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (req.method === "GET" && url.pathname === "/push") subscribe(req, res, url.searchParams.get("uid"));
  else if (req.method === "POST" && url.pathname === "/update") publish(req, res);
  else res.writeHead(404).end();
}).listen(port, "127.0.0.1");
