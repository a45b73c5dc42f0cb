/**
 * A text/plain response with an explicit Content-Length: ddclient 3.10
 * misreads chunked bodies, and HEAD answers must announce the GET length.
 */
export function plain(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
      ...headers,
    },
  });
}
