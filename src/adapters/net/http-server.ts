/**
 * The Node HTTP server's sockets, bounded: connections capped in total and
 * per client (see ConnectionTable), idle keep-alive connections closed, and
 * a request that is not fully received in time dropped. Without this, one
 * client could open idle keep-alive sockets until the process ran out of
 * file descriptors.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpServerConfig } from './http-server-settings.js';
import { ConnectionTable } from './connection-table.js';

interface HttpConnection {
  /** Requests being answered on this socket (pipelining can make it more than one). */
  active: number;
  readonly busy: boolean;
  close(): void;
}

/** `exempt`: clients held only to the total (trusted reverse proxies carry many users on few sockets). */
export function createBoundedHttpServer(listener: RequestListener, config: HttpServerConfig, exempt: (address: string) => boolean): Server {
  const server = createServer(
    {
      keepAliveTimeout: config.keepAliveMs,
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // Node looks for overdue requests only this often (30 s by default), which would stretch every timeout above.
      connectionsCheckingInterval: Math.min(1000, Math.max(25, config.headersTimeoutMs / 4)),
    },
    listener,
  );
  const table = new ConnectionTable<HttpConnection>({ total: config.maxConnections, perClient: config.maxConnectionsPerClient, exempt });
  const connections = new WeakMap<Socket, HttpConnection>();
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
    connections.set(socket, connection);
    socket.once('close', () => table.remove(connection));
  });
  server.on('request', (request, response) => {
    const connection = connections.get(request.socket);
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
