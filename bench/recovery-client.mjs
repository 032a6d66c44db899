// The recovery scenario's client: one process, driven by
// bench/scenarios/recovery.mjs over IPC. It holds N resuming streams (one
// per uid, reconnecting as EventSource does) and a publisher that sends
// targeted messages at a steady rate and retries each failed publish with
// the same idempotency key until it is answered 200. It records every
// connect attempt, every stream's return and every delivery by id, and
// checks at the end that each acknowledged message reached its uid's stream
// exactly once. Every wait has a deadline.

import { Agent } from "node:http";
import { performance } from "node:perf_hooks";
import { serveCommands } from "./client-process.mjs";
import { postUpdate } from "./post-update.mjs";
import { ResumingStream } from "./resuming-stream.mjs";

const OPEN_CONCURRENCY = 256;
const PUBLISH_IN_FLIGHT = 32;
/** A backend's retry of a failed publish: the same key after this pause. */
const PUBLISH_RETRY_MS = 250;
const WINDOW_MS = 100;
/** A message still missing this long after everything else is in place is not coming. */
const MISSED_WAIT_MS = 5000;
const MARKER = /@@(\d+)@@/;

let target; // { port, token }
const marks = {};
let streams = [];
/** Per stream: what came back after the kill, and everything it received. */
let records = [];
/** Every message the publisher made: { seq, stream, key, firstAttemptAt, attempts, ackedAt, id }. */
const messages = [];
/** The same messages by the index of the stream they go to. */
let messagesByStream = [];
const attempts = [];
const busy = {};
const failures = {};
let resets = 0;
let misdelivered = 0;

const progress = (text) => process.send({ progress: text });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (table, key) => {
  table[key] = (table[key] ?? 0) + 1;
};

const hooks = {
  attempt() {
    attempts.push(performance.now());
  },
  event(stream, { event, data, id }, connection) {
    const record = records[stream.index];
    const now = performance.now();
    if (event === "unread") {
      // The opening ends with the unread count: replay, if any, came before it.
      record.liveSince ??= now;
      if (record.droppedAt !== null && record.backAt === null && connection > record.droppedOnConnection) record.backAt = now;
      return;
    }
    if (event === "busy") return count(busy, JSON.parse(data).reason);
    if (event === "reset") {
      resets++;
      return;
    }
    const seq = MARKER.exec(data)?.[1];
    if (id === undefined || seq === undefined) return;
    // Seqs count from 1 in publishing order.
    if (messages[seq - 1]?.stream !== stream.index) misdelivered++;
    count(record.byId, id);
    count(record.bySeq, seq);
    record.firstArrival[seq] ??= now;
  },
  dropped(stream) {
    const record = records[stream.index];
    if (marks.kill !== undefined && record.droppedAt === null) {
      record.droppedAt = performance.now();
      record.droppedOnConnection = stream.connection;
      record.resumedFrom = stream.lastEventId;
    }
  },
  failed(_stream, why) {
    count(failures, why);
  },
};

const newRecord = () => ({
  liveSince: null,
  droppedAt: null,
  droppedOnConnection: 0,
  /** The Last-Event-ID its first reconnect after the kill sent ("" for none). */
  resumedFrom: null,
  backAt: null,
  byId: {},
  bySeq: {},
  firstArrival: {},
});

/** Open N streams, OPEN_CONCURRENCY at a time, and wait until each has its opening. */
async function open({ n, timeoutMs }) {
  const start = performance.now();
  const deadline = Date.now() + timeoutMs;
  records = Array.from({ length: n }, newRecord);
  messagesByStream = Array.from({ length: n }, () => []);
  streams = Array.from({ length: n }, (_, index) => Object.assign(new ResumingStream(target.port, `u${index}`, hooks), { index }));
  for (let next = 0; next < n && Date.now() < deadline; next += OPEN_CONCURRENCY) {
    for (const stream of streams.slice(next, next + OPEN_CONCURRENCY)) stream.connect();
    while (
      records.slice(0, next + OPEN_CONCURRENCY).some((r, i) => r.liveSince === null && streams[i].state !== "failed") &&
      Date.now() < deadline
    )
      await sleep(5);
  }
  const live = records.filter((record) => record.liveSince !== null).length;
  return { requested: n, open: live, seconds: (performance.now() - start) / 1000, failures };
}

const agent = new Agent({ keepAlive: true, maxSockets: PUBLISH_IN_FLIGHT });
const publisher = { timer: null, ready: [], inFlight: 0, scheduled: 0 };

/** One publish attempt; a network error is an answer too (status 0), to be retried like a 503. */
function post(message) {
  const body = { uid: `u${message.stream}`, msg: { text: `@@${message.seq}@@` }, key: message.key };
  return postUpdate(target, body, agent, 10_000).catch((err) => ({ status: 0, text: err.code ?? err.message }));
}

function sendReady() {
  while (publisher.inFlight < PUBLISH_IN_FLIGHT && publisher.ready.length > 0) {
    const message = publisher.ready.shift();
    publisher.inFlight++;
    message.attempts++;
    post(message).then((answer) => {
      publisher.inFlight--;
      if (answer.status === 200) {
        message.ackedAt = performance.now();
        message.id = JSON.parse(answer.text).id;
      } else {
        setTimeout(() => {
          publisher.ready.push(message);
          sendReady();
        }, PUBLISH_RETRY_MS);
      }
      sendReady();
    });
  }
}

/** Targeted messages to strided uids at `rate` a second, scheduled by the clock, until `finish` stops them. */
function startPublishing({ rate }) {
  const start = performance.now();
  publisher.timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) * rate) / 1000);
    while (publisher.scheduled < due) {
      const seq = ++publisher.scheduled;
      const stream = (seq * 7919) % streams.length;
      const message = { seq, stream, key: `recovery-${seq}`, firstAttemptAt: performance.now(), attempts: 0, ackedAt: null, id: null };
      messages.push(message);
      messagesByStream[stream].push(message);
      publisher.ready.push(message);
    }
    sendReady();
  }, 5);
  return { started: true };
}

function mark({ name }) {
  marks[name] = performance.now();
  return { at: marks[name] };
}

/**
 * Where the recovery stands: "recovered" (`at` the moment) once every stream
 * is live again and has every message published to it before it came back;
 * "missing" when every stream is back and every such message acknowledged,
 * but some never arrived; else "waiting".
 */
function recoveryState() {
  let latest = 0;
  let missing = false;
  for (const [index, record] of records.entries()) {
    if (record.backAt === null) return { state: "waiting" };
    latest = Math.max(latest, record.backAt);
    for (const message of messagesByStream[index]) {
      if (message.firstAttemptAt > record.backAt) continue;
      if (message.ackedAt === null) return { state: "waiting" };
      const arrival = record.firstArrival[message.seq];
      if (arrival === undefined) missing = true;
      else latest = Math.max(latest, arrival);
    }
  }
  return missing ? { state: "missing" } : { state: "recovered", at: latest };
}

/**
 * Wait for the recovery (every stream back with what it missed), or until
 * what is missing has had MISSED_WAIT_MS to arrive; publish `tailMs` more,
 * stop, let the publisher and the deliveries finish, and check.
 */
async function finish({ tailMs, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  const ticker = setInterval(() => {
    const back = records.filter((record) => record.backAt !== null).length;
    progress(`${back}/${records.length} streams back, ${publisher.ready.length} publishes waiting`);
  }, 1000);
  let recovery = recoveryState();
  let missingSince = null;
  while (recovery.state !== "recovered" && Date.now() < deadline) {
    await sleep(50);
    recovery = recoveryState();
    missingSince = recovery.state === "missing" ? (missingSince ?? Date.now()) : null;
    if (missingSince !== null && Date.now() - missingSince > MISSED_WAIT_MS) break;
  }
  clearInterval(ticker);
  await sleep(Math.min(tailMs, Math.max(0, deadline - Date.now())));
  clearInterval(publisher.timer);
  const drained = () => publisher.ready.length === 0 && publisher.inFlight === 0 && messages.every((m) => m.ackedAt !== null);
  while (!drained() && Date.now() < deadline) await sleep(20);
  const deliveriesDeadline = Math.min(deadline, Date.now() + MISSED_WAIT_MS);
  while (!allDelivered() && Date.now() < deliveriesDeadline) await sleep(20);
  return report(recovery.state === "recovered" ? recovery.at : null);
}

function allDelivered() {
  return messages.every((message) => message.ackedAt === null || records[message.stream].byId[message.id] !== undefined);
}

function report(recovered) {
  const restart = marks.restart;
  const check = { lost: 0, lostWithoutResumePoint: 0, duplicated: 0, underAnotherId: 0, unpublished: 0, misdelivered };
  for (const message of messages) {
    if (message.ackedAt === null) {
      check.unpublished++;
      continue;
    }
    const record = records[message.stream];
    const byId = record.byId[message.id] ?? 0;
    if (byId === 0) check.lost++;
    if (byId === 0 && record.resumedFrom === "") check.lostWithoutResumePoint++;
    if (byId > 1 || (record.bySeq[message.seq] ?? 0) > 1) check.duplicated++;
    if ((record.bySeq[message.seq] ?? 0) > byId) check.underAnotherId++;
  }
  const backTimes = records.map((record) => record.backAt).filter((at) => at !== null);
  const outage = messages.filter((message) => message.firstAttemptAt >= marks.kill && message.firstAttemptAt < marks.listening);
  return {
    streams: { n: records.length, back: backTimes.length, neverDropped: records.filter((record) => record.droppedAt === null).length },
    published: {
      scheduled: messages.length,
      acked: messages.filter((message) => message.ackedAt !== null).length,
      duringOutage: outage.length,
      attempts: messages.reduce((sum, message) => sum + message.attempts, 0),
    },
    recovery: {
      downMs: restart - marks.kill,
      startupMs: marks.listening - restart,
      allBackMs: backTimes.length === records.length ? Math.max(...backTimes) - restart : null,
      allMissedDeliveredMs: recovered === null ? null : recovered - restart,
    },
    peak: { windowMs: WINDOW_MS, attempts: busiestWindow(attempts, marks.kill), opened: busiestWindow(backTimes, marks.kill) },
    connectsAfterKill: attempts.filter((at) => at >= marks.kill).length,
    busy,
    resets,
    failures,
    check,
  };
}

/** The most of `times` in one WINDOW_MS window, counted from `start`. */
function busiestWindow(times, start) {
  const perWindow = new Map();
  for (const at of times) {
    if (at < start) continue;
    const window = Math.floor((at - start) / WINDOW_MS);
    perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
  }
  return Math.max(0, ...perWindow.values());
}

async function closeAll() {
  clearInterval(publisher.timer);
  for (const stream of streams) stream.close();
  agent.destroy();
  return { closed: true };
}

/** The server to load: `{ port, token }`, the first call client-process.mjs makes. */
function setTarget(args) {
  target = args;
  return { ok: true };
}

serveCommands({ target: setTarget, open, startPublishing, mark, finish, closeAll });
