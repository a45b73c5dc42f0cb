import { createRequire } from 'node:module';
import type * as Argon2 from '@node-rs/argon2';
import type { PasswordHasher } from '../../ports/password-hasher.js';

/*
 * Loaded with require(), not import: the package is CommonJS (a native
 * addon's loader), and Node's ESM-to-CommonJS interop (parsing the loader's
 * source for its export names) cost ~35 ms of every Lambda cold start here
 * (BENCHMARKS.md, "Lambda bundles"). Resolved from this module's location:
 * the project's node_modules, or the Lambda asset's, next to the bundle.
 */
const { hash, verify } = createRequire(import.meta.url)('@node-rs/argon2') as typeof Argon2;

/** Argon2id with the library's defaults, which are OWASP's (m=19 MiB, t=2, p=1). */
export class Argon2Hasher implements PasswordHasher {
  /**
   * Argon2id (library defaults) of 32 random bytes that were thrown away.
   * Verifying against it costs what verifying a real password does
   * (test/unit/argon2.test.ts checks the parameters match `hash`'s), and it
   * matches no user: the authenticator only uses it when the user is unknown.
   */
  readonly unknownUserHash = '$argon2id$v=19$m=19456,t=2,p=1$LK1B4TBdmFfc52vJxSO6Ng$N7+yzgPYpmxE9e1FHK2RPsQfkwokpWTbORmjBCcBguw';

  async hash(password: string): Promise<string> {
    return hash(password);
  }

  async verify(phc: string, password: string): Promise<boolean> {
    try {
      return await verify(phc, password);
    } catch {
      return false;
    }
  }
}
