/** Password hashing (Argon2id in production); `verify` never throws for a bad hash, it answers false. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}
