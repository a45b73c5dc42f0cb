/** Password hashing (Argon2id in production); `verify` never throws for a bad hash, it answers false. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * A hash, with this hasher's parameters, of a random password nobody
   * knows: what an unknown user's credentials are verified against, so that
   * costs what a known user's does. Optional: without it the authenticator
   * hashes a random password once per process (one extra hash on the first
   * unknown user, which a cold Lambda would pay).
   */
  readonly unknownUserHash?: string;
}
