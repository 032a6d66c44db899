// The summary tables, as Markdown so they can go into bench/README.md unchanged.
// Ratios compare a server with the floors measured at the same N in the same run.

const fixed = (value, digits = 0) => (value === null || value === undefined || Number.isNaN(value) ? "–" : value.toFixed(digits));
const ratio = (value, base) => (value && base ? `${(value / base).toFixed(1)}×` : "–");
const kb = (bytes) => (bytes === null ? "–" : fixed(bytes / 1024, 1));
const latencies = ({ p50Ms, p99Ms, maxMs }) => `${fixed(p50Ms, 1)} / ${fixed(p99Ms, 1)} / ${fixed(maxMs, 1)}`;

function markdown(header, rows) {
  return [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

const failedRow = (result, header) => [
  result.step,
  result.server,
  `failed: ${result.error.split("\n")[0].slice(0, 80)}`,
  ...header.slice(3).map(() => ""),
];

/** The result of `server` at the same step, if it ran and did not fail. */
const peer = (results, server, step) => results.find((r) => r.server === server && r.step === step && r.error === undefined);

export function fanoutTable(results) {
  const header = [
    "N",
    "server",
    "open",
    "connect/s",
    "bcast p50 ms",
    "bcast p99 ms",
    "bcast max ms",
    "delivered",
    "p99 ÷ node floor",
    "p99 ÷ workerd floor",
    "p99 ÷ seed",
    "server CPU µs/delivery",
    "targeted/s",
    "targeted p99 ms (answer / delivery)",
    "RSS KB/stream",
    "RSS ÷ workerd floor",
    "fds/stream",
    "JS heap KB/stream",
  ];
  const rows = results.map((result) => {
    if (result.error !== undefined) return failedRow(result, header);
    const nodeFloor = peer(results, "node", result.step);
    const workerdFloor = peer(results, "workerd-floor", result.step);
    const seed = peer(results, "express", result.step);
    const { connect, broadcast, targeted, memory } = result;
    return [
      result.step,
      result.server,
      connect.open,
      fixed(connect.perSecond),
      fixed(broadcast.p50Ms, 1),
      fixed(broadcast.p99Ms, 1),
      fixed(broadcast.maxMs, 1),
      `${broadcast.delivered}/${broadcast.expected}`,
      ratio(broadcast.p99Ms, nodeFloor?.broadcast.p99Ms),
      ratio(broadcast.p99Ms, workerdFloor?.broadcast.p99Ms),
      ratio(broadcast.p99Ms, seed?.broadcast.p99Ms),
      fixed(broadcast.serverCpuUsPerDelivery),
      fixed(targeted.perSecond),
      `${fixed(targeted.answer.p99Ms, 1)} / ${fixed(targeted.delivery.p99Ms, 1)}${targeted.delivered < targeted.sent ? ` (${targeted.sent - targeted.delivered} lost)` : ""}`,
      kb(memory.rssPerStream),
      ratio(memory.rssPerStream, workerdFloor?.memory.rssPerStream),
      fixed(memory.fdsPerStream, 2),
      kb(memory.heapPerStream),
    ];
  });
  return markdown(header, rows);
}

export function mixedTable(results) {
  const header = [
    "N",
    "server",
    "open",
    "targeted/s (of rate)",
    "targeted delivery p50 / p99 / max ms",
    "targeted p99 ÷ workerd floor",
    "targeted answer p99 ms",
    "behind schedule max ms",
    "bcast delivery p50 / p99 / max ms",
    "bcast p99 ÷ workerd floor",
    "delivered (targeted, bcast)",
    "server CPU µs/delivery",
    "CPU ÷ workerd floor",
  ];
  const rows = results.map((result) => {
    if (result.error !== undefined) return failedRow(result, header);
    const floor = peer(results, "workerd-floor", result.step);
    const { targeted, broadcast } = result.load;
    return [
      result.step,
      result.server,
      result.connect.open,
      `${fixed(targeted.perSecond)} (${fixed(targeted.scheduled / result.load.seconds)})`,
      latencies(targeted.delivery),
      ratio(targeted.delivery.p99Ms, floor?.load.targeted.delivery.p99Ms),
      fixed(targeted.answer.p99Ms, 1),
      fixed(targeted.behindSchedule.maxMs, 1),
      latencies(broadcast.delivery),
      ratio(broadcast.delivery.p99Ms, floor?.load.broadcast.delivery.p99Ms),
      `${targeted.delivered}/${targeted.expected}, ${broadcast.delivered}/${broadcast.expected}`,
      fixed(result.load.serverCpuUsPerDelivery),
      ratio(result.load.serverCpuUsPerDelivery, floor?.load.serverCpuUsPerDelivery),
    ];
  });
  return markdown(header, rows);
}

export function recoveryTable(results) {
  const header = [
    "N",
    "reconnects",
    "published (during outage)",
    "all back, ms after restart",
    "all missed delivered, ms after restart",
    "connects after the kill",
    "peak connects / 100 ms (went live)",
    "busy answers",
    "lost",
    "duplicated",
  ];
  const rows = results.map((result) => {
    if (result.error !== undefined) return [result.step, "failed", result.error.slice(0, 80), ...header.slice(3).map(() => "")];
    const { streams, published, recovery, peak, busy, check } = result;
    return [
      streams.n,
      result.jitter ? "jittered (RETRY_JITTER_MS default)" : "no jitter (RETRY_JITTER_MS=0)",
      `${published.acked} (${published.duringOutage})`,
      fixed(recovery.allBackMs),
      fixed(recovery.allMissedDeliveredMs),
      result.connectsAfterKill,
      `${peak.attempts} (${peak.opened})`,
      Object.entries(busy).length === 0
        ? "0"
        : Object.entries(busy)
            .map(([reason, count]) => `${count} ${reason}`)
            .join(", "),
      check.lostWithoutResumePoint > 0 ? `${check.lost} (${check.lostWithoutResumePoint} on streams with no resume point)` : check.lost,
      check.duplicated,
    ];
  });
  return markdown(header, rows);
}

export function batchTable(results) {
  const header = [
    "N",
    "messages",
    "per batch",
    "single msgs/s",
    "batched msgs/s",
    "batched ÷ single",
    "server CPU µs/message (single / batched)",
    "delivery p99 ms (single / batched)",
    "delivered (single / batched)",
  ];
  const rows = results.map((result) => {
    if (result.error !== undefined) return failedRow(result, header);
    const { single, batched } = result;
    return [
      result.step,
      single.sent,
      result.size,
      fixed(single.perSecond),
      fixed(batched.perSecond),
      ratio(batched.perSecond, single.perSecond),
      `${fixed(single.serverCpuUsPerMessage)} / ${fixed(batched.serverCpuUsPerMessage)}`,
      `${fixed(single.delivery.p99Ms, 1)} / ${fixed(batched.delivery.p99Ms, 1)}`,
      `${single.delivered}/${single.sent} / ${batched.delivered}/${batched.acked}`,
    ];
  });
  return markdown(header, rows);
}
