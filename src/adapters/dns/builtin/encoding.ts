/**
 * Response messages in wire format: a lookup result as an answer, an
 * rcode-only error answer, and the truncated form that sends a UDP client to
 * TCP. The answer cache and the responder both build on these.
 */
import type { LookupResult } from './lookup.js';
import type { Edns } from './message.js';
import { writeRR } from './record-writer.js';
import { FLAG, TYPE, Writer } from './wire.js';

/** The EDNS payload size we advertise and honour at most (DNS flag day 2020). */
export const EDNS_UDP_SIZE = 1232;
/** An OPT record without options. */
export const OPT_LENGTH = 11;

export interface EncodeOptions {
  readonly id: number;
  readonly flags: number;
  /** The question exactly as asked (its letter case is echoed). */
  readonly question: Uint8Array;
  readonly edns: Edns | undefined;
}

export function encode(result: LookupResult, o: EncodeOptions): Buffer {
  const w = new Writer(512);
  w.u16(o.id);
  w.u16(FLAG.QR | (result.aa ? FLAG.AA : 0) | (o.flags & (FLAG.RD | FLAG.CD)) | result.rcode);
  w.u16(1);
  w.u16(result.answer.length);
  w.u16(result.authority.length);
  w.u16(result.additional.length + (o.edns ? 1 : 0));
  w.bytes(o.question);
  w.remember(12);
  for (const rr of result.answer) writeRR(w, rr);
  for (const rr of result.authority) writeRR(w, rr);
  for (const rr of result.additional) writeRR(w, rr);
  if (o.edns) writeOpt(w, o.edns, 0);
  const out = w.finish();
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}

/** An answer carrying only an rcode (and the question and OPT when they could be read). */
export function errorResponse(msg: Uint8Array, rcode: number, questionEnd: number | undefined, edns: Edns | undefined): Buffer {
  const w = new Writer(64);
  w.u16((msg[0]! << 8) | msg[1]!);
  const flags = (msg[2]! << 8) | msg[3]!;
  w.u16(FLAG.QR | (flags & (0x7800 | FLAG.RD | FLAG.CD)) | (rcode & 0xf));
  w.u16(questionEnd ? 1 : 0);
  w.u16(0);
  w.u16(0);
  w.u16(edns ? 1 : 0);
  if (questionEnd) w.bytes(msg.subarray(12, questionEnd));
  if (edns) writeOpt(w, edns, rcode >> 4);
  const out = w.finish();
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}

/** The largest UDP answer the client takes: 512 without EDNS, else its size capped at ours. */
export function udpLimit(edns: Edns | undefined): number {
  if (!edns) return 512;
  return Math.min(Math.max(edns.udpSize, 512), EDNS_UDP_SIZE);
}

/** Header + question (+ OPT) with TC set: the client retries over TCP. */
export function truncate(full: Uint8Array, questionEnd: number, edns: boolean): Buffer {
  const out = Buffer.alloc(questionEnd + (edns ? OPT_LENGTH : 0));
  out.set(full.subarray(0, questionEnd));
  out[2]! |= FLAG.TC >> 8;
  out.fill(0, 6, 12);
  if (edns) {
    out[11] = 1;
    out.set(full.subarray(full.length - OPT_LENGTH), questionEnd);
  }
  return out;
}

function writeOpt(w: Writer, edns: Edns, extendedRcode: number): void {
  w.u8(0);
  w.u16(TYPE.OPT);
  w.u16(EDNS_UDP_SIZE);
  w.u8(extendedRcode);
  w.u8(0);
  w.u16(edns.dnssecOk ? 0x8000 : 0);
  w.u16(0);
}
