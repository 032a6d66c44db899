// Subscriber tokens for the secure-mode tests, signed as a backend would.
import { signSubscriberToken } from "../../src/auth/subscriber-token";
import { TEST_SUBSCRIBE_SECRET } from "./test-settings";

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function tokenFor(uid: string, ttlSeconds = 3600, secret = TEST_SUBSCRIBE_SECRET): Promise<string> {
  return signSubscriberToken(secret, uid, nowSeconds() + ttlSeconds);
}
