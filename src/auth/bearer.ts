// `Authorization: Bearer <token>` (RFC 6750), read the same way for publishers and subscribers.

/** The token of a Bearer header; null when the header is another scheme or malformed. */
export function bearerTokenOf(header: string): string | null {
  return /^Bearer[ ]+(\S+)\s*$/i.exec(header)?.[1] ?? null;
}
