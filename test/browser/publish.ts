// Publishing from the browser tests as a backend does: POST /update with the bearer token.
import { inject } from "vitest";
import type { PublishResult } from "../../src/messages";

/** Publish to the run's shared server (global-setup.ts). */
export const publish = (body: Record<string, unknown>) => publishTo(inject("baseUrl"), inject("publishToken"), body);

export async function publishTo(baseUrl: string, publishToken: string, body: Record<string, unknown>): Promise<PublishResult> {
  const response = await fetch(`${baseUrl}/update`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${publishToken}` },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.status !== 200) throw new Error(`POST /update answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer as PublishResult;
}

export { freshUid } from "../helpers/uids.ts";
