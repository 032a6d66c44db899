// A small SVG line chart: broadcast p99 latency against N, one line per server.

const WIDTH = 640;
const HEIGHT = 360;
const PAD = { left: 64, right: 120, top: 24, bottom: 48 };
const COLORS = { workerd: "#f38020", "workerd-floor": "#16a34a", express: "#3b82f6", node: "#6b7280" };

export function latencyChart(results) {
  const ok = results.filter((result) => result.error === undefined && result.broadcast.p99Ms !== null);
  const ns = [...new Set(ok.map((result) => result.n))].sort((a, b) => a - b);
  const maxN = Math.max(1, ...ns);
  const maxMs = Math.max(1, ...ok.map((result) => result.broadcast.p99Ms)) * 1.1;
  const x = (n) => PAD.left + (n / maxN) * (WIDTH - PAD.left - PAD.right);
  const y = (ms) => HEIGHT - PAD.bottom - (ms / maxMs) * (HEIGHT - PAD.top - PAD.bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PAD.left}" y="16">broadcast p99 latency (ms) against open streams N</text>`,
    `<line x1="${PAD.left}" y1="${y(0)}" x2="${x(maxN)}" y2="${y(0)}" stroke="black"/>`,
    `<line x1="${PAD.left}" y1="${y(0)}" x2="${PAD.left}" y2="${PAD.top}" stroke="black"/>`,
  ];
  for (const n of ns) parts.push(`<text x="${x(n)}" y="${y(0) + 18}" text-anchor="middle">${n}</text>`);
  for (let i = 0; i <= 4; i++) {
    const ms = (maxMs / 4) * i;
    parts.push(`<text x="${PAD.left - 6}" y="${y(ms) + 4}" text-anchor="end">${Math.round(ms)}</text>`);
    parts.push(`<line x1="${PAD.left}" y1="${y(ms)}" x2="${x(maxN)}" y2="${y(ms)}" stroke="#eee"/>`);
  }
  const servers = [...new Set(ok.map((result) => result.server))];
  servers.forEach((server, i) => {
    const points = ok.filter((result) => result.server === server).sort((a, b) => a.n - b.n);
    const color = COLORS[server] ?? "black";
    const path = points.map((result) => `${x(result.n)},${y(result.broadcast.p99Ms)}`).join(" ");
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const result of points) parts.push(`<circle cx="${x(result.n)}" cy="${y(result.broadcast.p99Ms)}" r="3" fill="${color}"/>`);
    parts.push(`<text x="${WIDTH - PAD.right + 10}" y="${PAD.top + 16 * (i + 1)}" fill="${color}">${server}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}
