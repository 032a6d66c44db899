// Publishing from tests exactly as a backend does: POST /update with the bearer token.
import { env } from "cloudflare:workers";
import { shardOf } from "../../src/hub/shards";
import type { PublishResult } from "../../src/messages";
import { readSettings } from "../../src/settings";
import { fetchWorker } from "./sse-client";
import { TEST_PUBLISH_TOKEN } from "./test-settings";

/** The HUB_SHARDS this run of the suite is configured with. */
export const HUB_SHARDS = readSettings(env).hubShards;

export const AUTH = { Authorization: `Bearer ${TEST_PUBLISH_TOKEN}` };

/** The id uid's streams see for this publish: each shard numbers its own messages. */
export function idFor(answer: PublishResult, uid: string): string {
  const id = answer.ids === undefined ? answer.id : answer.ids[shardOf(uid, HUB_SHARDS)];
  if (id === undefined || id === null) throw new Error(`the publish ${JSON.stringify(answer)} did not reach ${uid}'s shard`);
  return id;
}

export async function postJson(path: string, body: unknown, headers: Record<string, string> = AUTH): Promise<Response> {
  return fetchWorker(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Publish and insist it succeeded. */
export async function publish(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<PublishResult> {
  const response = await postJson("/update", body, { ...AUTH, ...headers });
  const answer = (await response.json()) as PublishResult;
  if (response.status !== 200) throw new Error(`POST /update answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
