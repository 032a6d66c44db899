// The settings the suite runs with (vitest.config.ts binds them); tests read them from here.
export const TEST_PUBLISH_TOKEN = "test-publisher-token";
export const TEST_HEARTBEAT_MS = 150;
export const TEST_MAX_QUEUE_BYTES = 65536;
export const TEST_MAX_STREAMS_PER_UID = 3;

// Every setting is named, so a developer's own .dev.vars can never leak into the suite.
export const TEST_VARS = {
  PUBLISH_TOKEN: TEST_PUBLISH_TOKEN,
  SUBSCRIBE_SECRET: "",
  HUB_SHARDS: "1",
  GREETING: "站内信链接成功！",
  RETRY_MS: "3000",
  MAX_STREAMS: "10000",
  MAX_BODY_BYTES: "65536",
  HISTORY_DAYS: "30",
  HISTORY_MAX: "100000",
  ALLOWED_ORIGINS: "",
  DEMO_PAGE: "on",
  HEARTBEAT_MS: String(TEST_HEARTBEAT_MS),
  MAX_QUEUE_BYTES: String(TEST_MAX_QUEUE_BYTES),
  MAX_STREAMS_PER_UID: String(TEST_MAX_STREAMS_PER_UID),
};

// Secure mode: subscriber tokens required, CORS for one origin, a hub that is full at 6 streams.
export const TEST_SUBSCRIBE_SECRET = "test-subscribe-secret";
export const TEST_ALLOWED_ORIGIN = "https://app.example";
export const TEST_MAX_STREAMS = 6;

export const SECURE_VARS = {
  ...TEST_VARS,
  SUBSCRIBE_SECRET: TEST_SUBSCRIBE_SECRET,
  // Written the way people do: spaces, a trailing slash, capitals.
  ALLOWED_ORIGINS: `https://App.example/ , https://other.example`,
  MAX_STREAMS: String(TEST_MAX_STREAMS),
};
