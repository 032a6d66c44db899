// The summary table, as Markdown so it can go into the README unchanged.
// Ratios compare each server with the bare-node floor and the seed design at the same N.

const fixed = (value, digits = 0) => (value === null || value === undefined || Number.isNaN(value) ? "–" : value.toFixed(digits));
const ratio = (value, base) => (value && base ? `${(value / base).toFixed(1)}×` : "–");
const kb = (bytes) => (bytes === null ? "–" : fixed(bytes / 1024, 1));

export function summaryTable(results) {
  const header = [
    "N",
    "server",
    "open",
    "connect/s",
    "bcast p50 ms",
    "bcast p99 ms",
    "bcast max ms",
    "delivered",
    "p99 ÷ floor",
    "p99 ÷ seed",
    "server CPU µs/delivery",
    "targeted/s",
    "targeted p99 ms (answer / delivery)",
    "RSS KB/stream",
    "fds/stream",
    "JS heap KB/stream",
  ];
  const rows = [header, header.map(() => "---")];
  for (const result of results) {
    if (result.error !== undefined) {
      rows.push([result.n, result.server, `failed: ${result.error.split("\n")[0].slice(0, 80)}`, ...header.slice(3).map(() => "")]);
      continue;
    }
    const floor = results.find((r) => r.server === "node" && r.n === result.n && !r.error);
    const seed = results.find((r) => r.server === "express" && r.n === result.n && !r.error);
    const { connect, broadcast, targeted, memory } = result;
    rows.push([
      result.n,
      result.server,
      connect.open,
      fixed(connect.perSecond),
      fixed(broadcast.p50Ms, 1),
      fixed(broadcast.p99Ms, 1),
      fixed(broadcast.maxMs, 1),
      `${broadcast.delivered}/${broadcast.expected}`,
      ratio(broadcast.p99Ms, floor?.broadcast.p99Ms),
      ratio(broadcast.p99Ms, seed?.broadcast.p99Ms),
      fixed(broadcast.serverCpuUsPerDelivery),
      fixed(targeted.perSecond),
      `${fixed(targeted.answer.p99Ms, 1)} / ${fixed(targeted.delivery.p99Ms, 1)}${targeted.delivered < targeted.sent ? ` (${targeted.sent - targeted.delivered} lost)` : ""}`,
      kb(memory.rssPerStream),
      fixed(memory.fdsPerStream, 2),
      kb(memory.heapPerStream),
    ]);
  }
  return rows.map((row) => `| ${row.join(" | ")} |`).join("\n");
}
