/**
 * Who holds a server's connections. Open connections are filed by client (an
 * IPv4 address, or an IPv6 /64, since one IPv6 host usually owns a whole
 * /64) and capped in total and per client, so that one client cannot take
 * every slot and shut everybody else out:
 *
 * - a client at its own cap gives up its least recently active idle
 *   connection for the newcomer (it only competes with itself);
 * - when the whole table is full, the client holding the most connections
 *   gives up its least recently active idle one (BIND's `tcp-clients` and
 *   Knot's `tcp-max-clients` recycle the same way);
 * - a busy connection (an answer or transfer in progress) is never taken:
 *   when nothing idle can go, the newcomer is refused instead.
 */
import ipaddr from 'ipaddr.js';

export interface TrackedConnection {
  /** True while a request is being answered; busy connections are never evicted. */
  readonly busy: boolean;
  /** Closes the connection; the owner still calls `remove` when it is gone. */
  close(): void;
}

export interface ConnectionLimits {
  readonly total: number;
  readonly perClient: number;
  /** Clients the per-client cap does not apply to (e.g. trusted reverse proxies). */
  readonly exempt?: (address: string) => boolean;
}

/** One client may hold an eighth of the table: room for a resolver farm or an office behind one address, not for starving everyone else. */
export const defaultPerClientLimit = (total: number): number => Math.max(1, Math.ceil(total / 8));

export class ConnectionTable<C extends TrackedConnection> {
  /** Each client's connections, least recently active first (a Set keeps insertion order). */
  private readonly clients = new Map<string, Set<C>>();
  private readonly clientOf = new Map<C, string>();

  constructor(private readonly limits: ConnectionLimits) {}

  get size(): number {
    return this.clientOf.size;
  }

  /** Open connections of the client `address` belongs to. */
  countFor(address: string): number {
    return this.clients.get(clientKey(address))?.size ?? 0;
  }

  /**
   * Files a new connection, closing an idle one to make room if a cap is
   * reached. Returns false (and files nothing) when no room can be made; the
   * caller then closes the newcomer.
   */
  admit(address: string, connection: C): boolean {
    const key = clientKey(address);
    const own = this.clients.get(key);
    if (own && own.size >= this.limits.perClient && !this.limits.exempt?.(address)) {
      if (!this.evictFrom(own)) return false;
    }
    if (this.size >= this.limits.total && !this.evictFromHeaviest()) return false;
    const set = this.clients.get(key) ?? new Set<C>();
    set.add(connection);
    this.clients.set(key, set);
    this.clientOf.set(connection, key);
    return true;
  }

  /** Marks the connection as just active: it becomes the last candidate for eviction. */
  touch(connection: C): void {
    const set = this.clients.get(this.clientOf.get(connection) ?? '');
    if (!set) return;
    set.delete(connection);
    set.add(connection);
  }

  /** Forgets the connection (idempotent: eviction already removed it). */
  remove(connection: C): void {
    const key = this.clientOf.get(connection);
    if (key === undefined) return;
    this.clientOf.delete(connection);
    const set = this.clients.get(key)!;
    set.delete(connection);
    if (set.size === 0) this.clients.delete(key);
  }

  private evictFromHeaviest(): boolean {
    const heaviestFirst = [...this.clients.values()].sort((a, b) => b.size - a.size);
    return heaviestFirst.some((set) => this.evictFrom(set));
  }

  private evictFrom(set: Set<C>): boolean {
    for (const connection of set) {
      if (connection.busy) continue;
      this.remove(connection);
      connection.close();
      return true;
    }
    return false;
  }
}

/** The client a remote address counts against: IPv4 (also when IPv4-mapped) as is, IPv6 by its /64. */
export function clientKey(address: string): string {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return address;
  }
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}
