/**
 * A SecretBox made on first use. The self-hosted key file is read (or
 * created) only when a secret is first sealed or opened, so a process that
 * never handles one — an administrative command about hosts, a test on the
 * default data directory — leaves no key file behind. A key that cannot be
 * loaded is reported as a SecretBoxError, like a key that does not fit.
 */
import { SecretBoxError, type SecretBox } from '../../ports/secret-box.js';

export class LazySecretBox implements SecretBox {
  private box: SecretBox | undefined;

  constructor(private readonly make: () => SecretBox) {}

  seal(plain: Uint8Array, context: string): string {
    return this.current().seal(plain, context);
  }

  open(sealed: string, context: string): Buffer {
    return this.current().open(sealed, context);
  }

  private current(): SecretBox {
    if (this.box) return this.box;
    try {
      this.box = this.make();
    } catch (error) {
      // Not memoised: a fixed file (permissions, contents) works on the next use without a restart.
      throw new SecretBoxError(`the secret key could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.box;
  }
}
