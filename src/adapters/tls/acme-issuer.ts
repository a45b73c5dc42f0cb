/**
 * Obtaining a certificate from an ACME CA (Let's Encrypt, or any RFC 8555
 * CA) with `acme-client`, answering DNS-01 by writing the TXT values into
 * Signpost's own zones: no port 80 needed, and wildcards work. The values
 * are published before the CA is told to look (ChallengeRecords.add
 * resolves once the DNS has them), so the client's own resolver check is
 * skipped: the zone may not be delegated where this process resolves.
 */
import * as acme from 'acme-client';

/** Where the challenge values go (core.challenges, under the server's own owner name). */
export interface DnsChallengeWriter {
  add(name: string, value: string): Promise<void>;
  remove(name: string, value: string): Promise<void>;
}

export interface IssuerOptions {
  readonly directoryUrl: string;
  readonly email?: string;
  /** PEM; kept by the caller so the same ACME account is used every time. */
  readonly accountKey: string;
  readonly challenges: DnsChallengeWriter;
}

export interface IssuedPair {
  /** PEM chain, leaf first. */
  readonly cert: string;
  /** PEM private key of the leaf (ECDSA P-256, new for every certificate). */
  readonly key: string;
}

/** A new account key (ECDSA P-256, PEM). */
export async function newAccountKey(): Promise<string> {
  return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
}

/** Orders, validates and downloads a certificate for `names` (the first becomes its subject). */
export async function obtainCertificate(names: readonly string[], options: IssuerOptions): Promise<IssuedPair> {
  const client = new acme.Client({ directoryUrl: options.directoryUrl, accountKey: options.accountKey });
  const [key, csr] = await acme.crypto.createCsr({ commonName: names[0]!, altNames: [...names] }, await acme.crypto.createPrivateEcdsaKey('P-256'));
  const challengeName = (authz: acme.Authorization) => `_acme-challenge.${authz.identifier.value}`;
  const cert = await client.auto({
    csr,
    ...(options.email === undefined ? {} : { email: options.email }),
    termsOfServiceAgreed: true,
    challengePriority: ['dns-01'],
    skipChallengeVerification: true,
    // For dns-01 the "key authorization" acme-client passes is already the TXT value (its SHA-256 digest).
    challengeCreateFn: (authz, _challenge, value) => options.challenges.add(challengeName(authz), value),
    challengeRemoveFn: (authz, _challenge, value) => options.challenges.remove(challengeName(authz), value),
  });
  return { cert, key: key.toString() };
}
