// The bench's client: one process, driven by bench/run.mjs over IPC, holding
// N SSE streams on raw sockets and publishing through POST /update. It parses
// only what it needs: the first body bytes (connected) and the `@@seq@@`
// marker every bench message carries. Every wait has a deadline.

import { Agent, request } from "node:http";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";

const MARKER = Buffer.from("@@");
const AT = 0x40;
const DIGIT_0 = 0x30;
const CONNECT_CONCURRENCY = 256;
const PUBLISH_CONCURRENCY = 8;

let target; // { port, token }
let streams = [];
let seq = 0;
/** seq → { t0, remaining, latencies: number[] } */
const awaited = new Map();
const agent = new Agent({ keepAlive: true, maxSockets: PUBLISH_CONCURRENCY });

const progress = (text) => process.send({ progress: text });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One stream: connected once body bytes arrive; then counts markers above the last seen. */
function openStream(index, deadline) {
  return new Promise((resolve) => {
    const stream = { index, socket: null, connected: false, lastSeq: 0, tail: "", partial: null, failed: null, ended: false };
    const socket = connect({ host: "127.0.0.1", port: target.port });
    stream.socket = socket;
    const timer = setTimeout(() => finish(`no greeting before the deadline`), Math.max(0, deadline - Date.now()));
    const finish = (failure) => {
      if (stream.connected || stream.failed) return;
      clearTimeout(timer);
      if (failure === null) stream.connected = true;
      else {
        stream.failed = failure;
        socket.destroy();
      }
      resolve(stream);
    };
    socket.setNoDelay(true);
    socket.on("connect", () => {
      socket.write(`GET /push?uid=u${index} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
    });
    socket.on("data", (chunk) => {
      if (!stream.connected) {
        const text = stream.tail + chunk.toString("latin1");
        if (!text.startsWith("HTTP/1.1 200")) return finish(`answered ${JSON.stringify(text.slice(0, 40))}`);
        stream.tail = text;
        if (!text.includes("data:")) return;
        stream.tail = "";
        finish(null);
      }
      countMarkers(stream, chunk);
    });
    socket.on("error", (err) => finish(err.code ?? err.message));
    socket.on("close", () => {
      stream.ended = true;
      finish("closed before the greeting");
    });
  });
}

/**
 * Find every `@@seq@@` in the bytes with the native Buffer search, no string
 * per read. A marker cut by the end of a read is carried over to the next.
 */
function countMarkers(stream, chunk) {
  const bytes = stream.partial === null ? chunk : Buffer.concat([stream.partial, chunk]);
  stream.partial = null;
  const now = performance.now();
  for (let at = bytes.indexOf(MARKER); at !== -1; at = bytes.indexOf(MARKER, at + 2)) {
    let n = 0;
    let end = at + 2;
    while (end < bytes.length && bytes[end] !== AT) n = n * 10 + (bytes[end++] - DIGIT_0);
    if (end + 1 >= bytes.length) {
      stream.partial = Buffer.from(bytes.subarray(at));
      return;
    }
    at = end;
    if (n <= stream.lastSeq) continue;
    stream.lastSeq = n;
    const wait = awaited.get(n);
    if (wait === undefined) continue;
    wait.latencies.push(now - wait.t0);
    wait.remaining--;
  }
}

async function connectAll({ n, timeoutMs }) {
  const start = performance.now();
  const deadline = Date.now() + timeoutMs;
  streams = new Array(n);
  let next = 0;
  let done = 0;
  const ticker = setInterval(() => progress(`connecting ${done}/${n}`), 1000);
  const worker = async () => {
    while (next < n && Date.now() < deadline) {
      const index = next++;
      streams[index] = await openStream(index, deadline);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, n) }, worker));
  clearInterval(ticker);
  const seconds = (performance.now() - start) / 1000;
  const open = streams.filter((stream) => stream?.connected).length;
  const failures = {};
  for (const stream of streams) if (stream?.failed) failures[stream.failed] = (failures[stream.failed] ?? 0) + 1;
  if (streams.some((stream) => stream === undefined))
    failures["not attempted before the deadline"] = streams.filter((s) => s === undefined).length;
  return { requested: n, open, seconds, perSecond: open / seconds, failures };
}

function post(body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      {
        host: "127.0.0.1",
        port: target.port,
        path: "/update",
        method: "POST",
        agent,
        headers: {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(payload),
          Authorization: `Bearer ${target.token}`,
        },
        timeout: 30_000,
      },
      (res) => {
        const parts = [];
        res.on("data", (part) => parts.push(part));
        res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(parts).toString("utf8") }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("POST /update timed out")));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Resolve when every awaited delivery of `n` arrived, or at the deadline. */
async function untilDelivered(n, deadline) {
  const wait = awaited.get(n);
  while (wait.remaining > 0 && Date.now() < deadline) await sleep(wait.remaining > 100 ? 5 : 1);
}

async function broadcast({ rounds, timeoutMs, pauseMs }) {
  const open = streams.filter((stream) => stream?.connected && !stream.ended);
  const latencies = [];
  const perRound = [];
  let expected = 0;
  for (let round = 0; round < rounds; round++) {
    const n = ++seq;
    const wait = { t0: performance.now(), remaining: open.length, latencies: [] };
    awaited.set(n, wait);
    const answer = await post({ isAll: true, msg: { text: `@@${n}@@ broadcast round ${round}` } });
    if (answer.status !== 200) throw new Error(`broadcast answered ${answer.status}: ${answer.text}`);
    await untilDelivered(n, Date.now() + timeoutMs);
    awaited.delete(n);
    expected += open.length;
    latencies.push(...wait.latencies);
    perRound.push({ delivered: wait.latencies.length, maxMs: Math.max(0, ...wait.latencies) });
    progress(`broadcast ${round + 1}/${rounds}: ${wait.latencies.length}/${open.length} delivered`);
    await sleep(pauseMs);
  }
  return { rounds, expected, delivered: latencies.length, ...summarize(latencies), perRound };
}

async function targeted({ count, timeoutMs }) {
  const open = streams.filter((stream) => stream?.connected && !stream.ended);
  const answerMs = [];
  const deliveryMs = [];
  const failures = [];
  const deadline = Date.now() + timeoutMs;
  let sent = 0;
  const start = performance.now();
  const worker = async () => {
    while (sent < count && Date.now() < deadline) {
      const stream = open[(sent++ * 7919) % open.length];
      const n = ++seq;
      const wait = { t0: performance.now(), remaining: 1, latencies: deliveryMs };
      awaited.set(n, wait);
      const answer = await post({ uid: `u${stream.index}`, msg: { text: `@@${n}@@ for one` } });
      answerMs.push(performance.now() - wait.t0);
      if (answer.status !== 200) failures.push(answer.status);
    }
  };
  const ticker = setInterval(() => progress(`targeted ${sent}/${count}`), 1000);
  await Promise.all(Array.from({ length: PUBLISH_CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  // Deliveries still in flight get a short grace period.
  const graceEnd = Date.now() + 5000;
  while (deliveryMs.length < answerMs.length && Date.now() < graceEnd) await sleep(5);
  clearInterval(ticker);
  awaited.clear();
  return {
    sent: answerMs.length,
    failed: failures.length,
    delivered: deliveryMs.length,
    seconds,
    perSecond: answerMs.length / seconds,
    answer: summarize(answerMs),
    delivery: summarize(deliveryMs),
  };
}

function summarize(values) {
  if (values.length === 0) return { p50Ms: null, p99Ms: null, maxMs: null };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(sorted[sorted.length - 1]) };
}

const round = (ms) => Math.round(ms * 100) / 100;

async function closeAll() {
  for (const stream of streams) stream?.socket.destroy();
  streams = [];
  return { closed: true };
}

const commands = { connectAll, broadcast, targeted, closeAll };

process.on("message", async ({ id, command, args }) => {
  if (command === "target") {
    target = args;
    return process.send({ id, result: { ok: true } });
  }
  try {
    process.send({ id, result: await commands[command](args) });
  } catch (err) {
    process.send({ id, error: String(err?.stack ?? err) });
  }
});
