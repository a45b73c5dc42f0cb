/** BIND 9 as a TSIG primary: `named -g`, allow-update and allow-transfer by key only. */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyZoneFile, type Recipe } from './recipe.js';

export const bindRecipe: Recipe = {
  daemon: 'named',
  algorithms: ['hmac-sha256', 'hmac-sha512'],
  async prepare({ dir, port, zone, key }) {
    const zoneFile = join(dir, `${zone}.db`);
    await rm(`${zoneFile}.jnl`, { force: true });
    await writeFile(zoneFile, emptyZoneFile(zone));
    const conf = `
options {
  directory "${dir}";
  pid-file "${join(dir, 'named.pid')}";
  session-keyfile "${join(dir, 'session.key')}";
  managed-keys-directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
};
controls { };
key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secretBase64}"; };
zone "${zone}" {
  type primary;
  file "${zoneFile}";
  allow-update { key "${key.name}"; };
  allow-transfer { key "${key.name}"; };
  // BIND alone refuses an update whose in-zone MX/NS target has no address yet;
  // Knot and PowerDNS take it. Off, so all three accept the same updates.
  check-integrity no;
};
`;
    await writeFile(join(dir, 'named.conf'), conf);
    return ['-g', '-4', '-n', '1', '-c', join(dir, 'named.conf')];
  },
};
