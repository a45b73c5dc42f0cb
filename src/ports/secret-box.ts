/**
 * Encrypts secrets Signpost must be able to read back (TSIG secrets verify
 * MACs, webhook secrets sign deliveries), unlike passwords and tokens, which
 * are stored as hashes. Sealed text names its key version, so a key can be
 * replaced later without losing what was sealed before.
 */
export interface SecretBox {
  /** Encrypts and authenticates `plain`; `context` (e.g. "tsig:alice:key1") is bound to it and must be given to open it. */
  seal(plain: Uint8Array, context: string): string;
  /** The plain bytes, or throws SecretBoxError when the text was altered, sealed for another context or another key. */
  open(sealed: string, context: string): Buffer;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}
