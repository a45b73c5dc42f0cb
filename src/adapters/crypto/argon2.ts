import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../../ports/password-hasher.js';

/** Argon2id with the library's defaults, which are OWASP's (m=19 MiB, t=2, p=1). */
export class Argon2Hasher implements PasswordHasher {
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
