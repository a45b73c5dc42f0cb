/** What each primary server (BIND, Knot, PowerDNS) tells the harness in test/support/primaries.ts. */

export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha512';

export interface TsigKey {
  /** Key name as written in the server's configuration (no trailing dot). */
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  readonly secretBase64: string;
}

export interface RecipeContext {
  /** The server's private temp dir (config, zone data, sockets). */
  readonly dir: string;
  readonly port: number;
  /** Apex, lower case, no trailing dot. */
  readonly zone: string;
  readonly key: TsigKey;
}

export interface Recipe {
  /** The daemon's binary name (looked up with requirePeer). */
  readonly daemon: string;
  /** The server runs on hmac-sha512 too. */
  readonly algorithms: readonly TsigAlgorithm[];
  /**
   * Writes the configuration and a zone holding only SOA + NS into `ctx.dir`,
   * wiping whatever zone data (journals, databases) a previous run left, and
   * returns the daemon's arguments (foreground, logging to stderr).
   */
  prepare(ctx: RecipeContext): Promise<string[]>;
}

/** The zone every primary starts from: SOA and one NS (outside the zone, so no glue is needed). */
export function emptyZoneFile(zone: string): string {
  return `$ORIGIN ${zone}.
$TTL 300
@ IN SOA ns1.example.net. hostmaster.example.net. 1 3600 600 86400 60
@ IN NS ns1.example.net.
`;
}
