// Read a JSON request body without ever buffering more than the limit.
import { badRequest, HttpError } from "./errors";

function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const mediaType = header.split(";")[0]!.trim().toLowerCase();
  return mediaType === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

export const tooLarge = (limit: number) => new HttpError(413, `the body is larger than ${limit} bytes (MAX_BODY_BYTES)`);

/** The body's bytes, refused with 413 as soon as they pass `limit` (Content-Length or not). */
async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (request.body === null) return new Uint8Array(0);
  // HTTP framing stops a body at its Content-Length: one native read, no chunk loop.
  if (declared !== null) return new Uint8Array(await request.arrayBuffer());
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new HttpError(415, "send the body as JSON with Content-Type: application/json");
  }
  const bytes = await readLimited(request, limit);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest("the body is not valid UTF-8");
  }
  if (text.trim() === "") throw badRequest("the body is empty; send a JSON object");
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("the body is not valid JSON");
  }
}
