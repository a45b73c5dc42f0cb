/**
 * A real BIND 9 primary for RFC 2136 tests: one zone on 127.0.0.1, TSIG keys,
 * `allow-update` and `allow-transfer` for the keys named. Built on
 * startNamed (test/dns/support.ts), so config and data live in a temp dir.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TsigAlgorithm } from '../../src/adapters/dns/builtin/tsig.js';
import { startNamed, type Named } from '../dns/support.js';

export interface PrimaryKey {
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  readonly secret: Buffer;
}

export interface BindPrimaryOptions {
  readonly zone: string;
  /** Every key BIND knows. */
  readonly keys: readonly PrimaryKey[];
  /** Names of the keys allowed to update / transfer the zone. */
  readonly allowUpdate: readonly string[];
  readonly allowTransfer: readonly string[];
  readonly port?: number;
}

export interface BindPrimary extends Named {
  /** Runs an nsupdate script body (no server/zone/send lines) signed with `key`, as another tool writing the zone would. */
  nsupdate(nsupdatePath: string, key: PrimaryKey, lines: string): Promise<void>;
}

export async function startBindPrimary(namedPath: string, o: BindPrimaryOptions): Promise<BindPrimary> {
  const keys = o.keys.map((k) => `key "${k.name}" { algorithm ${k.algorithm}; secret "${k.secret.toString('base64')}"; };`).join('\n');
  const allow = (names: readonly string[]) => names.map((n) => `key "${n}";`).join(' ');
  const named = await startNamed(
    namedPath,
    `${keys}
zone "${o.zone}" {
  type primary;
  file "zone.db";
  allow-update { ${allow(o.allowUpdate)} };
  allow-transfer { ${allow(o.allowTransfer)} };
};`,
    { 'zone.db': `$TTL 300\n@ SOA ns1.${o.zone}. hostmaster.${o.zone}. 1 3600 600 1209600 60\n@ NS ns1.${o.zone}.\nns1 A 127.0.0.1\n` },
    '',
    o.port,
  );
  return {
    ...named,
    async nsupdate(nsupdatePath, key, lines) {
      const run = promisify(execFile)(nsupdatePath, ['-y', `${key.algorithm}:${key.name}:${key.secret.toString('base64')}`]);
      run.child.stdin!.end(`server 127.0.0.1 ${named.port}\nzone ${o.zone}\n${lines}\nsend\n`);
      await run;
    },
  };
}
