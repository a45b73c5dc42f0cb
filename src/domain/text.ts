/**
 * Bounds for client-controlled text that Signpost stores or logs: a client
 * picks its own User-Agent and user name, so without a cap one request can
 * put kilobytes into every history row and log line.
 */
export const MAX_USER_AGENT_LENGTH = 256;
/** Longer than any valid user name (64) or address text (45), so a real one is never cut. */
export const MAX_CLIENT_TOKEN_LENGTH = 80;
/** RFC 1035's limit for a name in text form. */
export const MAX_NAME_TEXT_LENGTH = 253;

/**
 * `text` cut to at most `max` characters, ending in `…` when it was cut, and
 * never splitting a surrogate pair.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
