/**
 * acme-dns accounts (the API of joohoi/acme-dns, which lego, acme.sh,
 * Traefik, cert-manager and certbot-dns-acmedns speak): registering one,
 * checking its credentials, setting its TXT values, and pointing a user's
 * `_acme-challenge.<name>` at it (the one-time CNAME acme-dns users make by
 * hand elsewhere). Records go through the challenge use case; only the
 * SHA-256 of an account's password is kept.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ACME_DNS_KEPT_VALUES, ACME_DNS_KEY_LENGTH, MAX_ACME_DNS_ACCOUNTS_PER_USER, acmeDnsFullDomain, isAcmeDnsKey, isAcmeDnsUuid, updateAllowedFrom } from '../domain/acme-dns.js';
import { CHALLENGE_LABEL } from '../domain/challenges.js';
import { SignpostError } from '../domain/errors.js';
import type { AcmeDnsAccount } from '../domain/model.js';
import { canonicalName } from '../domain/names.js';
import type { Store } from '../ports/store.js';
import { digestsEqual, sha256Hex } from './secrets.js';

/** What this use case needs of the challenge records (ChallengeRecords, src/app/challenge-records.ts). */
export interface ChallengeWrites {
  mayWrite(username: string, name: string): Promise<boolean>;
  add(name: string, value: string, owner: string, options?: { keep?: number }): Promise<void>;
  setAlias(name: string, target: string, owner: string): Promise<void>;
  removeAlias(name: string, owner: string): Promise<void>;
}

export interface AcmeDnsAccountsDeps {
  readonly store: Store;
  readonly challenges: ChallengeWrites;
  /** Where subdomains live (SIGNPOST_ACME_DNS_ZONE). */
  readonly zone: string;
  readonly now: () => number;
}

/** The answer to a registration, as acme-dns gives it (the password is shown only here). */
export interface AcmeDnsRegistration {
  readonly username: string;
  readonly password: string;
  readonly fulldomain: string;
  readonly subdomain: string;
  readonly allowfrom: string[];
}

/** Why an update was refused: acme-dns's error words, which its clients print. */
export type AcmeDnsRefusal = 'forbidden';

/** acme-dns's password alphabet (util.go generatePassword). */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz1234567890-_';
/** Compared against when the user name is unknown, so both paths hash and compare the same. */
const UNKNOWN_ACCOUNT_HASH = sha256Hex('no such account');

export class AcmeDnsAccounts {
  constructor(private readonly deps: AcmeDnsAccountsDeps) {}

  /**
   * A new account for `owner` (a Signpost user, or '' for an anonymous
   * registration from an allowed network); undefined when the user already
   * holds MAX_ACME_DNS_ACCOUNTS_PER_USER.
   */
  async register(owner: string, allowFrom: readonly string[]): Promise<AcmeDnsRegistration | undefined> {
    if (owner !== '' && (await this.deps.store.listAcmeDnsAccounts(owner)).length >= MAX_ACME_DNS_ACCOUNTS_PER_USER) return undefined;
    const password = newPassword();
    const account: AcmeDnsAccount = {
      username: randomUUID(),
      owner,
      secretHash: sha256Hex(password),
      subdomain: randomUUID(),
      allowFrom: [...allowFrom],
      createdAt: this.deps.now(),
    };
    await this.deps.store.createAcmeDnsAccount(account);
    return { username: account.username, password, fulldomain: this.fullDomain(account), subdomain: account.subdomain, allowfrom: [...account.allowFrom] };
  }

  /** The account these X-Api-User / X-Api-Key headers name, when the key is right; constant time in the key. */
  async authenticate(username: string, key: string): Promise<AcmeDnsAccount | undefined> {
    if (!isAcmeDnsUuid(username) || !isAcmeDnsKey(key)) return undefined;
    const account = await this.deps.store.getAcmeDnsAccount(username);
    const ok = digestsEqual(account?.secretHash ?? UNKNOWN_ACCOUNT_HASH, sha256Hex(key));
    if (!ok || !account) return undefined;
    // An account dies with its owner: one registered anonymously has none.
    if (account.owner !== '' && !(await this.deps.store.getUser(account.owner))) return undefined;
    return account;
  }

  /** acme-dns's checks after the credentials: the subdomain must be the account's, the client inside its allowfrom. */
  refusal(account: AcmeDnsAccount, subdomain: unknown, clientAddress: string | undefined): AcmeDnsRefusal | undefined {
    if (!updateAllowedFrom(account.allowFrom, clientAddress)) return 'forbidden';
    if (subdomain !== account.subdomain) return 'forbidden';
    return undefined;
  }

  /** Sets one TXT value at the account's subdomain; the two most recent stay, as acme-dns keeps them. */
  async update(account: AcmeDnsAccount, txt: string): Promise<void> {
    await this.deps.challenges.add(this.fullDomain(account), txt, account.owner, { keep: ACME_DNS_KEPT_VALUES });
  }

  /**
   * Points `_acme-challenge.<domain>` at one of the user's accounts (a CNAME
   * to its full domain). The user's grants must cover the name and the
   * account must be theirs; `*.name` means the challenge name of `name`.
   */
  async link(username: string, domain: string, subdomain: string): Promise<{ name: string; target: string }> {
    const name = challengeNameFor(domain);
    const account = await this.ownAccount(username, name, subdomain);
    const target = this.fullDomain(account);
    await this.deps.challenges.setAlias(name, target, username);
    return { name, target };
  }

  /** Removes that CNAME again. */
  async unlink(username: string, domain: string, subdomain: string): Promise<void> {
    const name = challengeNameFor(domain);
    await this.ownAccount(username, name, subdomain);
    await this.deps.challenges.removeAlias(name, username);
  }

  fullDomain(account: Pick<AcmeDnsAccount, 'subdomain'>): string {
    return acmeDnsFullDomain(account.subdomain, this.deps.zone);
  }

  private async ownAccount(username: string, name: string, subdomain: string): Promise<AcmeDnsAccount> {
    if (!(await this.deps.challenges.mayWrite(username, name))) {
      throw new SignpostError('challenge_not_allowed', `your grants do not cover ${name}`);
    }
    const account = isAcmeDnsUuid(subdomain) ? await this.deps.store.findAcmeDnsAccountBySubdomain(subdomain) : undefined;
    // Someone else's account reads as no account: subdomains are not secret, but which ones exist is nobody else's business.
    if (!account || account.owner !== username) throw new SignpostError('challenge_not_allowed', `you have no acme-dns account with subdomain ${subdomain}`);
    return account;
  }
}

/** `home.example`, `*.home.example` or `_acme-challenge.home.example` → `_acme-challenge.home.example`. */
export function challengeNameFor(domain: string): string {
  const name = canonicalName(domain).replace(/^\*\./, '');
  return name.startsWith(`${CHALLENGE_LABEL}.`) ? name : `${CHALLENGE_LABEL}.${name}`;
}

function newPassword(): string {
  // 64 symbols: each random byte's low six bits pick one without bias.
  return [...randomBytes(ACME_DNS_KEY_LENGTH)].map((b) => ALPHABET[b & 63]).join('');
}
