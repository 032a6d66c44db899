// The one place every limit and default is read from `env`.
// Vars arrive as strings (wrangler [vars], .dev.vars, test bindings), so each
// is parsed and clamped here; a bad value falls back to the default.

export interface Settings {
  readonly hubShards: number;
  readonly greeting: string;
  readonly retryMs: number;
  /** Each stream's `retry:` is drawn uniformly from [retryMs, retryMs + retryJitterMs]. */
  readonly retryJitterMs: number;
  readonly heartbeatMs: number;
  readonly maxStreamsPerUid: number;
  readonly maxStreams: number;
  readonly maxQueueBytes: number;
  readonly maxBodyBytes: number;
  readonly historyDays: number;
  readonly historyMax: number;
  readonly allowedOrigins: readonly string[];
  readonly publishToken: string | undefined;
  readonly subscribeSecret: string | undefined;
  /** Whether / and /message serve the demo page; DEMO_PAGE=off turns it off in production. */
  readonly demoPage: boolean;
}

export const DEFAULT_GREETING = "站内信链接成功！";

// Any env object: the generated Env type lists only the vars wrangler.toml names.

function intSetting(raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === null || raw === "") return fallback;
  const n = typeof raw === "number" ? raw : Number(String(raw).trim());
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(n)));
}

function secretSetting(raw: unknown): string | undefined {
  return typeof raw === "string" && raw.length > 0 ? raw : undefined;
}

// Parsed once per env object: workerd hands every request of an isolate the same one.
const parsed = new WeakMap<object, Settings>();

export function readSettings(bindings: object): Settings {
  let settings = parsed.get(bindings);
  if (settings === undefined) {
    settings = parseSettings(bindings);
    parsed.set(bindings, settings);
  }
  return settings;
}

function parseSettings(bindings: object): Settings {
  const env = bindings as Record<string, unknown>;
  const retryMs = intSetting(env.RETRY_MS, 3000, 0, 600_000);
  return {
    hubShards: intSetting(env.HUB_SHARDS, 1, 1, 256),
    // An empty GREETING disables the greeting; unset keeps the seed's.
    greeting: typeof env.GREETING === "string" ? env.GREETING : DEFAULT_GREETING,
    retryMs,
    // Spread reconnects: a restarted hub is not hit by every browser in the same second.
    retryJitterMs: intSetting(env.RETRY_JITTER_MS, retryMs, 0, 600_000),
    // Proxies drop idle connections after ~30 s; 25 s keeps us under that.
    heartbeatMs: intSetting(env.HEARTBEAT_MS, 15_000, 50, 25_000),
    maxStreamsPerUid: intSetting(env.MAX_STREAMS_PER_UID, 8, 1, 1000),
    maxStreams: intSetting(env.MAX_STREAMS, 10_000, 1, 1_000_000),
    maxQueueBytes: intSetting(env.MAX_QUEUE_BYTES, 1 << 20, 1024, 64 << 20),
    maxBodyBytes: intSetting(env.MAX_BODY_BYTES, 64 << 10, 256, 1 << 20),
    historyDays: intSetting(env.HISTORY_DAYS, 30, 1, 3650),
    historyMax: intSetting(env.HISTORY_MAX, 100_000, 10, 10_000_000),
    // Browsers send Origin lowercased and without a trailing slash.
    allowedOrigins: String(env.ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((origin) => origin.trim().replace(/\/+$/, "").toLowerCase())
      .filter((origin) => origin.length > 0),
    publishToken: secretSetting(env.PUBLISH_TOKEN),
    subscribeSecret: secretSetting(env.SUBSCRIBE_SECRET),
    demoPage: !/^\s*off\s*$/i.test(String(env.DEMO_PAGE ?? "")),
  };
}
