/** Knot DNS as a TSIG primary: `knotd -c`, one ACL with the key for update and transfer. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyZoneFile, type Recipe } from './recipe.js';

export const knotRecipe: Recipe = {
  daemon: 'knotd',
  algorithms: ['hmac-sha256', 'hmac-sha512'],
  async prepare({ dir, port, zone, key }) {
    // Zone file, journal and timers all live in storage: wiping it empties the zone.
    const storage = join(dir, 'storage');
    await rm(storage, { recursive: true, force: true });
    await mkdir(storage, { recursive: true });
    await writeFile(join(storage, `${zone}.zone`), emptyZoneFile(zone));
    const conf = `
server:
    rundir: "${dir}"
    listen: 127.0.0.1@${port}
log:
  - target: stderr
    any: info
database:
    storage: "${storage}"
key:
  - id: ${key.name}
    algorithm: ${key.algorithm}
    secret: ${key.secretBase64}
acl:
  - id: signpost
    key: ${key.name}
    action: [update, transfer]
template:
  - id: default
    storage: "${storage}"
    file: "%s.zone"
zone:
  - domain: ${zone}
    acl: signpost
`;
    await writeFile(join(dir, 'knot.conf'), conf);
    // The control socket (knotc) is rundir/knot.sock, inside the temp dir.
    return ['-c', join(dir, 'knot.conf')];
  },
};
