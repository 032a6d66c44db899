// The bench's load client: one process, driven by bench/run.mjs over IPC,
// holding N SSE streams on raw sockets and publishing through POST /update.
// It parses only what it needs: the first body bytes (connected) and the
// `@@seq@@` marker every bench message carries. Every wait has a deadline.

import { Agent } from "node:http";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { serveCommands } from "./client-process.mjs";
import { Expectations } from "./expectations.mjs";
import { postUpdate } from "./post-update.mjs";

const MARKER = Buffer.from("@@");
const AT = 0x40;
const DIGIT_0 = 0x30;
const CONNECT_CONCURRENCY = 256;
const PUBLISH_CONCURRENCY = 8;
/**
 * Deliveries still on their way when the publishing ends are awaited while
 * they keep arriving: an overloaded server is late, not lossy. A delivery
 * missing after IDLE_MS without any arrival, or after the drain's limit, is lost.
 */
const IDLE_MS = 5000;
const CLOSED_LOOP_DRAIN_MS = 30_000;
/** How long the answers to an open-loop run's last publishes are awaited. */
const ANSWERS_WAIT_MS = 30_000;

let target; // { port, token }
let streams = [];
let seq = 0;
const expectations = new Expectations();
const closedLoopAgent = new Agent({ keepAlive: true, maxSockets: PUBLISH_CONCURRENCY });

const progress = (text) => process.send({ progress: text });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One stream: connected once body bytes arrive; then every marker is matched against what is awaited. */
function openStream(index, deadline) {
  return new Promise((resolve) => {
    const stream = { index, socket: null, connected: false, tail: "", partial: null, failed: null, ended: false };
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
      scanMarkers(stream, chunk);
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
function scanMarkers(stream, chunk) {
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
    expectations.arrived(n, stream.index, now);
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

const openStreams = () => streams.filter((stream) => stream?.connected && !stream.ended);

const post = (body, agent) => postUpdate(target, body, agent);

/** Resolve when nothing is missing any more, or at the deadline. */
async function untilDelivered(missing, deadline) {
  while (missing() > 0 && Date.now() < deadline) await sleep(missing() > 100 ? 5 : 1);
}

/** Resolve when nothing is missing any more, or nothing arrived for IDLE_MS, or after `maxMs`. */
async function untilDrained(maxMs) {
  const deadline = Date.now() + maxMs;
  let left = expectations.missing();
  let lastArrival = Date.now();
  while (left > 0 && Date.now() - lastArrival < IDLE_MS && Date.now() < deadline) {
    await sleep(20);
    const now = expectations.missing();
    if (now < left) lastArrival = Date.now();
    left = now;
  }
}

async function broadcast({ rounds, timeoutMs, pauseMs }) {
  const open = openStreams().map((stream) => stream.index);
  const latencies = [];
  const perRound = [];
  let expected = 0;
  for (let round = 0; round < rounds; round++) {
    const n = ++seq;
    const before = latencies.length;
    expectations.expectAll(n, open, streams.length, performance.now(), latencies);
    const answer = await post({ isAll: true, msg: { text: `@@${n}@@ broadcast round ${round}` } }, closedLoopAgent);
    if (answer.status !== 200) throw new Error(`broadcast answered ${answer.status}: ${answer.text}`);
    await untilDelivered(() => expectations.remaining(n), Date.now() + timeoutMs);
    expected += open.length;
    const roundMs = latencies.slice(before);
    perRound.push({ delivered: roundMs.length, maxMs: Math.max(0, ...roundMs) });
    progress(`broadcast ${round + 1}/${rounds}: ${roundMs.length}/${open.length} delivered`);
    await sleep(pauseMs);
  }
  const result = { rounds, expected, delivered: latencies.length, ...summarize(latencies), perRound, ...surprises() };
  expectations.clear();
  return result;
}

/** Closed loop: PUBLISH_CONCURRENCY publishers, each sending the next as soon as it has its answer. */
async function targeted({ count, timeoutMs }) {
  const open = openStreams();
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
      const t0 = performance.now();
      expectations.expectOne(n, stream.index, t0, deliveryMs);
      const answer = await post({ uid: `u${stream.index}`, msg: { text: `@@${n}@@ for one` } }, closedLoopAgent);
      answerMs.push(performance.now() - t0);
      if (answer.status !== 200) {
        failures.push(answer.status);
        expectations.forget(n);
      }
    }
  };
  const ticker = setInterval(() => progress(`targeted ${sent}/${count}`), 1000);
  await Promise.all(Array.from({ length: PUBLISH_CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  await untilDrained(CLOSED_LOOP_DRAIN_MS);
  clearInterval(ticker);
  const result = {
    sent: answerMs.length,
    failed: failures.length,
    delivered: deliveryMs.length,
    seconds,
    perSecond: answerMs.length / seconds,
    answer: summarize(answerMs),
    delivery: summarize(deliveryMs),
    ...surprises(),
  };
  expectations.clear();
  return result;
}

/**
 * Closed loop of batches (`POST /update {messages}`): `inFlight` publishers,
 * each sending the next batch of `size` targeted messages, one stream each,
 * as soon as it has the last one's answer. Counted in messages.
 */
async function batch({ total, size, inFlight, timeoutMs }) {
  const open = openStreams();
  const answerMs = [];
  const deliveryMs = [];
  const failures = [];
  const deadline = Date.now() + timeoutMs;
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  let sent = 0;
  let acked = 0;
  const start = performance.now();
  const worker = async () => {
    while (sent < total && Date.now() < deadline) {
      const count = Math.min(size, total - sent);
      const t0 = performance.now();
      const numbers = [];
      const messages = [];
      for (let i = 0; i < count; i++) {
        const stream = open[(sent++ * 7919) % open.length];
        const n = ++seq;
        numbers.push(n);
        expectations.expectOne(n, stream.index, t0, deliveryMs);
        messages.push({ uid: `u${stream.index}`, msg: { text: `@@${n}@@ batched` } });
      }
      const answer = await postUpdate(target, { messages }, agent, timeoutMs);
      answerMs.push(performance.now() - t0);
      if (answer.status === 200) acked += count;
      else {
        failures.push(answer.status);
        for (const n of numbers) expectations.forget(n);
      }
    }
  };
  const ticker = setInterval(() => progress(`batch ${sent}/${total} messages`), 1000);
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - start) / 1000;
  await untilDrained(CLOSED_LOOP_DRAIN_MS);
  clearInterval(ticker);
  agent.destroy();
  const result = {
    sent,
    acked,
    failed: failures.length,
    delivered: deliveryMs.length,
    seconds,
    perSecond: acked / seconds,
    answer: summarize(answerMs),
    delivery: summarize(deliveryMs),
    ...surprises(),
  };
  expectations.clear();
  return result;
}

/**
 * Open loop, as a site's backend publishes: targeted publishes scheduled by
 * the clock at `targetedPerSecond` to strided streams, plus one broadcast
 * every `broadcastEveryMs`, for `seconds`. Nothing waits for an answer
 * before the next is due; at most `maxInFlight` targeted publishes are
 * outstanding, and one that had to wait for room counts as behind schedule.
 * Latencies run from the moment a publish was sent.
 */
async function mixed({ seconds, targetedPerSecond, broadcastEveryMs, maxInFlight, drainMs }) {
  const open = openStreams();
  const openIndexes = open.map((stream) => stream.index);
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight + 1 });
  const targetedTotal = Math.round(seconds * targetedPerSecond);
  const broadcastTotal = Math.floor((seconds * 1000) / broadcastEveryMs);
  const kinds = { targeted: newKind(), broadcast: newKind() };
  const lateMs = [];
  let inFlight = 0;

  /** Sends now; an answer other than 200 means the publish is expected nowhere. */
  const send = (kind, n, body) => {
    inFlight++;
    kind.sent++;
    const t0 = performance.now();
    const settle = (failure) => {
      inFlight--;
      kind.answerMs.push(performance.now() - t0);
      if (failure === null) kind.acked++;
      else {
        kind.failures[failure] = (kind.failures[failure] ?? 0) + 1;
        expectations.forget(n);
      }
    };
    post(body, agent).then(
      (answer) => settle(answer.status === 200 ? null : `answered ${answer.status}`),
      (err) => settle(err.code ?? err.message),
    );
  };

  const start = performance.now();
  const ticker = setInterval(
    () => progress(`mixed: ${kinds.targeted.sent}/${targetedTotal} targeted, ${kinds.broadcast.sent} broadcasts`),
    5000,
  );
  const hardStop = start + seconds * 2000 + 10_000;
  while ((kinds.targeted.sent < targetedTotal || kinds.broadcast.sent < broadcastTotal) && performance.now() < hardStop) {
    const elapsed = performance.now() - start;
    while (kinds.broadcast.sent < broadcastTotal && (kinds.broadcast.sent + 1) * broadcastEveryMs <= elapsed) {
      const n = ++seq;
      expectations.expectAll(n, openIndexes, streams.length, performance.now(), kinds.broadcast.deliveryMs);
      send(kinds.broadcast, n, { isAll: true, msg: { text: `@@${n}@@ broadcast` } });
    }
    const dueAt = () => (kinds.targeted.sent * 1000) / targetedPerSecond;
    while (kinds.targeted.sent < targetedTotal && dueAt() <= elapsed && inFlight < maxInFlight) {
      const stream = open[(kinds.targeted.sent * 7919) % open.length];
      lateMs.push(elapsed - dueAt());
      const n = ++seq;
      expectations.expectOne(n, stream.index, performance.now(), kinds.targeted.deliveryMs);
      send(kinds.targeted, n, { uid: `u${stream.index}`, msg: { text: `@@${n}@@ for one` } });
    }
    await sleep(1);
  }
  const sendingSeconds = (performance.now() - start) / 1000;
  const answersDeadline = Date.now() + ANSWERS_WAIT_MS;
  while (inFlight > 0 && Date.now() < answersDeadline) await sleep(5);
  await untilDrained(drainMs);
  clearInterval(ticker);
  agent.destroy();
  const report = (kind, streamsPerPublish) => ({
    scheduled: kind === kinds.targeted ? targetedTotal : broadcastTotal,
    sent: kind.sent,
    acked: kind.acked,
    failures: kind.failures,
    expected: kind.acked * streamsPerPublish,
    delivered: kind.deliveryMs.length,
    answer: summarize(kind.answerMs),
    delivery: summarize(kind.deliveryMs),
  });
  const result = {
    seconds: sendingSeconds,
    streams: open.length,
    targeted: { ...report(kinds.targeted, 1), perSecond: kinds.targeted.acked / sendingSeconds, behindSchedule: summarize(lateMs) },
    broadcast: report(kinds.broadcast, open.length),
    streamsClosed: open.filter((stream) => stream.ended).length,
    unanswered: inFlight,
    ...surprises(),
  };
  expectations.clear();
  return result;
}

const newKind = () => ({ sent: 0, acked: 0, failures: {}, answerMs: [], deliveryMs: [] });

function surprises() {
  return { duplicates: expectations.duplicates, misdelivered: expectations.misdelivered, unexpected: expectations.unexpected };
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
  expectations.clear();
  return { closed: true };
}

/** The server to load: `{ port, token }`, the first call client-process.mjs makes. */
function setTarget(args) {
  target = args;
  return { ok: true };
}

serveCommands({ target: setTarget, connectAll, broadcast, targeted, batch, mixed, closeAll });
