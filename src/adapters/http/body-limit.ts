import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorBody } from './errors.js';

/** The largest body any route accepts (an EC2 event); every route caps at this or below. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Caps a request body at `maxSize` bytes, before anything reads it or
 * authenticates: a declared Content-Length above the cap is refused without
 * reading a byte, and a chunked body is counted as it streams and cut off
 * once it passes the cap, so no more than `maxSize` is ever buffered. On
 * Node, @hono/node-server then discards what still arrives for at most
 * 500 ms or 64 MiB and closes the connection; closing it at once instead
 * (`Connection: close`) resets it under a client still sending, and the
 * reset can destroy the 413 before the client reads it.
 */
export function limitBody(maxSize: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize,
    onError: (c) => c.json(errorBody('body_too_large', `the request body is larger than ${maxSize} bytes`), 413),
  });
  // No route reads the body of a GET or HEAD, and looking for one makes
  // @hono/node-server build a full Request object for every router poll.
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next));
}
