import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorBody } from './errors.js';

/** The largest body any route accepts (an EC2 event); every route caps at this or below. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Caps a request body at `maxSize` bytes, before anything reads it or
 * authenticates: a declared Content-Length above the cap is refused without
 * reading a byte, and a chunked body is counted as it streams and cut off
 * once it passes the cap, so no more than `maxSize` is ever buffered. The
 * 413 closes the connection so the client stops sending the rest.
 */
export function limitBody(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: (c) => c.json(errorBody('body_too_large', `the request body is larger than ${maxSize} bytes`), 413, { connection: 'close' }),
  });
}
