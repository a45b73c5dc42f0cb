/**
 * The record forms of RFC 2136 §2.4 (prerequisites) and §2.5 (updates),
 * built from the presentation values an RRSet holds. CLASS and TTL carry the
 * meaning: ANY with empty RDATA = "exists"/"delete all", NONE = "does not
 * exist"/"delete this one", the zone's class with RDATA = the value itself.
 */
import type { RecordType, RRSet } from '../../../domain/records.js';
import { TYPE_CODE, parseRData } from '../builtin/rdata.js';
import { CLASS, TYPE } from '../builtin/wire.js';
import type { UpdateRecord } from './update-message.js';

type Set = Pick<RRSet, 'name' | 'type' | 'values'>;
const records = (set: Set, klass: number, ttl: number): UpdateRecord[] =>
  set.values.map((v) => ({ name: set.name, type: TYPE_CODE[set.type], class: klass, ttl, rdata: parseRData(set.type, v) }));

/** §2.4 prerequisites (TTL always 0). */
export const prerequisite = {
  /** §2.4.1 RRset exists (value independent). */
  rrsetExists: (name: string, type: RecordType): UpdateRecord => ({ name, type: TYPE_CODE[type], class: CLASS.ANY, ttl: 0 }),
  /** §2.4.2 RRset exists (value dependent): the set holds exactly these values, no more, no fewer. */
  rrsetEquals: (set: Set): UpdateRecord[] => records(set, CLASS.IN, 0),
  /** §2.4.3 RRset does not exist. */
  rrsetAbsent: (name: string, type: RecordType): UpdateRecord => ({ name, type: TYPE_CODE[type], class: CLASS.NONE, ttl: 0 }),
  /** §2.4.4 Name is in use (owns at least one RR). */
  nameInUse: (name: string): UpdateRecord => ({ name, type: TYPE.ANY, class: CLASS.ANY, ttl: 0 }),
  /** §2.4.5 Name is not in use. */
  nameNotInUse: (name: string): UpdateRecord => ({ name, type: TYPE.ANY, class: CLASS.NONE, ttl: 0 }),
};

/** §2.5 updates. */
export const update = {
  /** §2.5.1 Add to an RRset (every value, with the set's TTL). */
  add: (set: Set & { ttl: number }): UpdateRecord[] => records(set, CLASS.IN, set.ttl),
  /** §2.5.2 Delete an RRset. */
  deleteRRset: (name: string, type: RecordType): UpdateRecord => ({ name, type: TYPE_CODE[type], class: CLASS.ANY, ttl: 0 }),
  /** §2.5.3 Delete all RRsets from a name. */
  deleteName: (name: string): UpdateRecord => ({ name, type: TYPE.ANY, class: CLASS.ANY, ttl: 0 }),
  /** §2.5.4 Delete these RRs from an RRset. */
  deleteRecords: (set: Set): UpdateRecord[] => records(set, CLASS.NONE, 0),
};
