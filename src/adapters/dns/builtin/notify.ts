/**
 * NOTIFY (RFC 1996) to configured secondaries after every change. Each
 * notification is retried until the secondary acknowledges it or the
 * retries run out; a newer change to the same zone supersedes older pending
 * ones.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { soaRecord, writeRR } from './record-writer.js';
import { sign, type TsigKey } from './tsig.js';
import { CLASS, FLAG, OPCODE, TYPE, Writer } from './wire.js';
import type { ZoneSnapshot } from './zone.js';

export interface NotifyTarget {
  readonly host: string;
  readonly port: number;
}

export interface NotifierOptions {
  readonly targets: readonly NotifyTarget[];
  /** Signs each NOTIFY with TSIG when given. */
  readonly key?: TsigKey;
  readonly retries?: number;
  readonly intervalMs?: number;
  readonly onError?: (error: unknown, target: NotifyTarget) => void;
  /** Called when a secondary acknowledges (tests, logs). */
  readonly onAck?: (zone: string, target: NotifyTarget) => void;
  /** Called when the retries for one NOTIFY ran out without an answer (metrics; onError hears it too). */
  readonly onGiveUp?: (zone: string, target: NotifyTarget) => void;
}

interface Pending {
  readonly zone: string;
  readonly target: NotifyTarget;
  timer: NodeJS.Timeout;
}

export class Notifier {
  private sockets = new Map<string, Socket>();
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly options: NotifierOptions) {}

  notify(zone: ZoneSnapshot): void {
    for (const target of this.options.targets) {
      for (const [id, p] of this.pending) {
        if (p.zone === zone.apex && p.target === target) {
          clearTimeout(p.timer);
          this.pending.delete(id);
        }
      }
      this.send(zone, target);
    }
  }

  private send(zone: ZoneSnapshot, target: NotifyTarget): void {
    let id = randomInt(0, 0x10000);
    while (this.pending.has(id)) id = (id + 1) & 0xffff;
    const unsigned = notifyMessage(id, zone);
    const key = this.options.key;
    const message = key ? sign(unsigned, key, { time: Math.floor(Date.now() / 1000) }).message : unsigned;
    const socket = this.socket(target.host.includes(':') ? 'udp6' : 'udp4');
    let attempts = 0;
    const attempt = () => {
      if (attempts++ > (this.options.retries ?? 5)) {
        this.pending.delete(id);
        this.options.onGiveUp?.(zone.apex, target);
        this.options.onError?.(new Error(`no NOTIFY answer for ${zone.apex} from ${target.host}:${target.port}`), target);
        return;
      }
      socket.send(message, target.port, target.host, (error) => error && this.options.onError?.(error, target));
      const p = this.pending.get(id);
      if (p) p.timer = setTimeout(attempt, this.options.intervalMs ?? 2000);
    };
    this.pending.set(id, { zone: zone.apex, target, timer: setTimeout(() => undefined, 0) });
    attempt();
  }

  private socket(type: 'udp4' | 'udp6'): Socket {
    let s = this.sockets.get(type);
    if (!s) {
      s = createSocket(type);
      s.on('message', (msg) => {
        if (msg.length < 12 || !(msg[2]! & 0x80)) return;
        const id = msg.readUInt16BE(0);
        const p = this.pending.get(id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(id);
        this.options.onAck?.(p.zone, p.target);
      });
      s.on('error', (error) => this.options.onError?.(error, { host: '', port: 0 }));
      s.unref();
      this.sockets.set(type, s);
    }
    return s;
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }
}

/** NOTIFY: opcode 4, AA, question (zone, SOA), the new SOA as a hint in the answer. */
export function notifyMessage(id: number, zone: ZoneSnapshot): Uint8Array {
  const w = new Writer(128);
  w.u16(id);
  w.u16((OPCODE.NOTIFY << 11) | FLAG.AA);
  w.u16(1);
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.name(zone.apex);
  w.u16(TYPE.SOA);
  w.u16(CLASS.IN);
  writeRR(w, soaRecord(zone));
  return w.finish();
}

/** `host:port`, `[v6]:port` or a bare host (port 53). */
export function parseTarget(raw: string): NotifyTarget {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
  if (v6) return { host: v6[1]!, port: Number(v6[2] ?? 53) };
  const parts = raw.split(':');
  if (parts.length === 2) return { host: parts[0]!, port: Number(parts[1]) };
  return { host: raw, port: 53 };
}
