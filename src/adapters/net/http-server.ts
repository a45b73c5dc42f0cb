/**
 * The Node HTTP server's sockets, bounded: connections capped in total and
 * per client (see ConnectionTable), idle keep-alive connections closed, and
 * a request that is not fully received in time dropped. Without this, one
 * client could open idle keep-alive sockets until the process ran out of
 * file descriptors. The HTTPS listener is the same server over TLS, with
 * the same caps (a TLS handshake counts against them from its first byte).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { HttpServerConfig } from './http-server-settings.js';
import { ConnectionTable } from './connection-table.js';

interface HttpConnection {
  /** Requests being answered on this socket (pipelining can make it more than one). */
  active: number;
  readonly busy: boolean;
  close(): void;
}

/**
 * `exempt`: clients held only to the total (trusted reverse proxies carry many users on few sockets).
 * `tls`: serve HTTPS with this certificate and key (an empty object: none yet, every handshake
 * fails until `setSecureContext` gives one).
 */
export function createBoundedHttpServer(listener: RequestListener, config: HttpServerConfig, exempt: (address: string) => boolean): Server;
export function createBoundedHttpServer(listener: RequestListener, config: HttpServerConfig, exempt: (address: string) => boolean, tls: SecureContextOptions): HttpsServer;
export function createBoundedHttpServer(listener: RequestListener, config: HttpServerConfig, exempt: (address: string) => boolean, tls?: SecureContextOptions): Server | HttpsServer {
  const options = {
    keepAliveTimeout: config.keepAliveMs,
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // Node looks for overdue requests only this often (30 s by default), which would stretch every timeout above.
    connectionsCheckingInterval: Math.min(1000, Math.max(25, config.headersTimeoutMs / 4)),
  };
  // A handshake is a few round trips: one still going when headers would be overdue is holding the socket (Node allows 120 s).
  // ALPN: Node offers only http/1.1 and refuses a client that offers just http/1.0 (curl --http1.0 does); both are served.
  const server = tls
    ? createHttpsServer({ ...options, ...tls, handshakeTimeout: config.headersTimeoutMs, ALPNProtocols: ['http/1.1', 'http/1.0'] }, listener)
    : createServer(options, listener);
  const table = new ConnectionTable<HttpConnection>({ total: config.maxConnections, perClient: config.maxConnectionsPerClient, exempt });
  // By the peer's address and port: over TLS, a request's socket is the TLS socket wrapping the TCP one 'connection' saw.
  const connections = new Map<string, HttpConnection>();
  server.on('connection', (socket: Socket) => {
    const connection: HttpConnection = {
      active: 0,
      get busy() {
        return this.active > 0;
      },
      close: () => socket.destroy(),
    };
    if (!table.admit(socket.remoteAddress ?? '', connection)) {
      socket.destroy();
      return;
    }
    const key = peerKey(socket);
    connections.set(key, connection);
    socket.once('close', () => {
      table.remove(connection);
      if (connections.get(key) === connection) connections.delete(key);
    });
  });
  server.on('request', (request, response) => {
    const connection = connections.get(peerKey(request.socket));
    if (!connection) return;
    connection.active++;
    table.touch(connection);
    response.once('close', () => {
      connection.active--;
      table.touch(connection);
    });
  });
  return server;
}

function peerKey(socket: Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;
}
