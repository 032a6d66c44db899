// Sign an edge-inbox subscriber token in your Node backend (no dependencies).
import { createHmac } from "node:crypto";

export function signInboxToken(secret, uid, ttlSeconds = 3600) {
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  const payload = `${Buffer.from(uid, "utf8").toString("base64url")}.${exp}`;
  const signature = createHmac("sha256", secret).update(payload).digest("base64url");
  return `${payload}.${signature}`;
}
