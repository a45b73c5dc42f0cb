/**
 * The HTTPS listener keeps the plain one's connection limits: one client's
 * keep-alive TLS connections are capped (its oldest idle ones close), and a
 * connection that never finishes its handshake is dropped in time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../interop/harness.js';
import { requirePeer } from '../support/peers.js';
import { selfSigned } from './tls-peers.js';

const openssl = requirePeer('openssl');

describe.skipIf(!openssl.available)('HTTPS connection limits', () => {
  let dir: string;
  let server: TestServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-https-limits-'));
    const pair = await selfSigned(openssl.path, dir, 'limits', 'ddns.dyn.example.test');
    server = await startTestServer({
      SIGNPOST_HTTPS_PORT: '0', SIGNPOST_TLS_CERT: pair.cert, SIGNPOST_TLS_KEY: pair.key,
      SIGNPOST_HTTP_MAX_CONNECTIONS: '8', SIGNPOST_HTTP_MAX_CONNECTIONS_PER_CLIENT: '3', SIGNPOST_HTTP_REQUEST_TIMEOUT_SECONDS: '0.5',
    });
  });

  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one client keeps at most its share of keep-alive TLS connections; another is still served', async () => {
    const mine: TLSSocket[] = [];
    for (let i = 0; i < 6; i++) mine.push(await keptAlive(server.https!.port, '127.0.0.2'));
    sockets.push(...mine);
    await new Promise((r) => setTimeout(r, 100));
    expect(mine.filter((s) => !s.destroyed && !s.readableEnded)).toHaveLength(3);
    sockets.push(await keptAlive(server.https!.port, '127.0.0.3'));
  });

  it('drops a connection that never completes its handshake', async () => {
    const silent = tcpConnect(server.https!.port, '127.0.0.1');
    sockets.push(silent);
    silent.on('error', () => undefined);
    silent.resume();
    const started = Date.now();
    await new Promise((resolve) => silent.once('close', resolve));
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

/** A keep-alive TLS connection from `from` that has had one answered request. */
async function keptAlive(port: number, from: string): Promise<TLSSocket> {
  const socket = connect({ socket: tcpConnect({ port, host: '127.0.0.1', localAddress: from }), rejectUnauthorized: false });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    let data = '';
    socket.once('close', () => reject(new Error(`closed before an answer from ${from}`)));
    socket.on('data', function onData(chunk: Buffer) {
      data += chunk.toString();
      const length = /content-length: (\d+)/i.exec(data);
      if (length && data.length >= data.indexOf('\r\n\r\n') + 4 + Number(length[1])) {
        socket.off('data', onData);
        socket.removeAllListeners('close');
        resolve();
      }
    });
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
  });
  return socket;
}
