// The settings every browser test's server runs with.
const RETRY_MS = 2000;
export const HEARTBEAT_MS = 1000;

export function browserTestVars(publishToken: string): Record<string, string> {
  return {
    PUBLISH_TOKEN: publishToken,
    // One stream per uid: a second stream opened by a test replaces the page's.
    MAX_STREAMS_PER_UID: "1",
    // Long enough for a test to publish while the page is away, short enough to wait for.
    RETRY_MS: String(RETRY_MS),
    HEARTBEAT_MS: String(HEARTBEAT_MS),
    // A developer's .dev.vars must not turn subscriber auth on under the test.
    SUBSCRIBE_SECRET: "",
  };
}
