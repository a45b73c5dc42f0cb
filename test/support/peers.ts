/**
 * Real peers (ddclient, inadyn, curl, dig, BIND, …) for interop tests.
 *
 * `requirePeer('ddclient')` finds the binary. Under `CI=true` a missing peer
 * is a failure (CI installs them from Debian in `.ci/run`), never a silent
 * skip; outside CI the test may skip, with the reason printed.
 *
 *   const ddclient = requirePeer('ddclient');
 *   describe.skipIf(!ddclient.available)('ddclient', () => { … ddclient.path … });
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Peer {
  readonly name: string;
  readonly available: boolean;
  /** Absolute path of the binary ('' when unavailable). */
  readonly path: string;
  /** Why it is unavailable. */
  readonly reason?: string;
}

/** Debian puts some daemons (inadyn, named) in sbin, which a non-root PATH may lack. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = (env.CI ?? '').toLowerCase();
  return ci === 'true' || ci === '1';
}

export function findBinary(binary: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * Looks the peer up. Missing under CI: throws (the test file fails). Missing
 * elsewhere: returns `available: false` and prints the reason once.
 */
export function requirePeer(binary: string, env: NodeJS.ProcessEnv = process.env): Peer {
  const path = findBinary(binary, env);
  if (path) return { name: binary, available: true, path };
  const reason = `peer "${binary}" is not installed (Debian package; .ci/run installs it)`;
  if (isCi(env)) throw new Error(`${reason}: required under CI=true`);
  process.stderr.write(`skipping tests that need ${binary}: ${reason}\n`);
  return { name: binary, available: false, path: '', reason };
}
