// Publishing from tests exactly as a backend does: POST /update with the bearer token.
import { TEST_PUBLISH_TOKEN } from "./test-settings";
import { fetchWorker } from "./sse-client";

export const AUTH = { Authorization: `Bearer ${TEST_PUBLISH_TOKEN}` };

export interface PublishAnswer {
  code: number;
  id: string;
  delivered: number;
  error?: string;
}

export async function postJson(path: string, body: unknown, headers: Record<string, string> = AUTH): Promise<Response> {
  return fetchWorker(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Publish and insist it succeeded. */
export async function publish(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<PublishAnswer> {
  const response = await postJson("/update", body, { ...AUTH, ...headers });
  const answer = (await response.json()) as PublishAnswer;
  if (response.status !== 200) throw new Error(`POST /update answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
