// The settings the suite runs with (vitest.config.ts binds them); tests read them from here.
export const TEST_PUBLISH_TOKEN = "test-publisher-token";
export const TEST_HEARTBEAT_MS = 150;
export const TEST_MAX_QUEUE_BYTES = 65536;
export const TEST_MAX_STREAMS_PER_UID = 3;

export const TEST_VARS = {
  PUBLISH_TOKEN: TEST_PUBLISH_TOKEN,
  HEARTBEAT_MS: String(TEST_HEARTBEAT_MS),
  MAX_QUEUE_BYTES: String(TEST_MAX_QUEUE_BYTES),
  MAX_STREAMS_PER_UID: String(TEST_MAX_STREAMS_PER_UID),
};
