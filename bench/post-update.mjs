// `POST /update` from a bench client, with the publisher token: resolves the
// status and body text, rejects on a network error or after `timeoutMs`.
import { request } from "node:http";

export function postUpdate({ port, token }, body, agent, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/update",
        method: "POST",
        agent,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload), Authorization: `Bearer ${token}` },
        timeout: timeoutMs,
      },
      (res) => {
        const parts = [];
        res.on("data", (part) => parts.push(part));
        res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(parts).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("POST /update timed out")));
    req.on("error", reject);
    req.end(payload);
  });
}
