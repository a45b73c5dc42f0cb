/**
 * Environment variables of the HTTPS listener: off unless SIGNPOST_HTTPS_PORT
 * is set, then serving either certificate files the operator renews
 * (SIGNPOST_TLS_CERT and SIGNPOST_TLS_KEY) or a certificate Signpost obtains
 * itself from an ACME CA for SIGNPOST_PUBLIC_NAME, answering DNS-01 from its
 * own zones.
 */
import * as z from 'zod';
import { decimalNumber, port } from '../../config/env-values.js';
import { canonicalName, findZone, isGrantPattern } from '../../domain/names.js';

/** Let's Encrypt's production directory: what "automatic certificates" means unless told otherwise. */
export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';

/** Merged into the main env schema (src/config/env.ts). */
export const httpsEnvShape = {
  SIGNPOST_HTTPS_PORT: port().optional(),
  SIGNPOST_TLS_CERT: z.string().optional(),
  SIGNPOST_TLS_KEY: z.string().optional(),
  SIGNPOST_PUBLIC_NAME: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map(canonicalName).filter((s) => s !== ''))
    .refine((names) => names.every(isGrantPattern), 'must be comma-separated domain names, each may start with *. (e.g. ddns.dyn.example.com,*.dyn.example.com)'),
  SIGNPOST_ACME_DIRECTORY: z
    .string()
    .default(LETS_ENCRYPT_DIRECTORY)
    .refine((v) => /^https:\/\/[^\s]+$/.test(v), 'must be the https:// URL of an ACME directory'),
  SIGNPOST_ACME_EMAIL: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^[^\s@]+@[^\s@]+$/.test(v), 'must be an e-mail address'),
  SIGNPOST_ACME_RENEW_DAYS: decimalNumber(0, 365, 'days').default(30),
};

type HttpsEnv = z.output<z.ZodObject<typeof httpsEnvShape>>;

export interface HttpsConfig {
  readonly port: number;
  readonly certificate: CertificateFiles | AutomaticCertificate;
}

export interface CertificateFiles {
  readonly kind: 'files';
  /** PEM: the certificate, intermediates after it. */
  readonly certFile: string;
  readonly keyFile: string;
}

export interface AutomaticCertificate {
  readonly kind: 'acme';
  readonly directoryUrl: string;
  readonly email?: string;
  /** The names the certificate covers (the first is its subject), each inside a served zone. */
  readonly names: readonly string[];
  /** Renew once fewer than this many milliseconds of validity remain (SIGNPOST_ACME_RENEW_DAYS). */
  readonly renewBeforeMs: number;
}

const DAY_MS = 86_400_000;

/** The HTTPS settings, or undefined when HTTPS is off; throws an Error (one sentence) when they contradict each other. */
export function httpsConfig(env: HttpsEnv, zones: readonly string[]): HttpsConfig | undefined {
  const files = env.SIGNPOST_TLS_CERT !== undefined || env.SIGNPOST_TLS_KEY !== undefined;
  const automatic = env.SIGNPOST_PUBLIC_NAME.length > 0;
  if (env.SIGNPOST_HTTPS_PORT === undefined) {
    if (files || automatic) throw new Error('SIGNPOST_TLS_CERT, SIGNPOST_TLS_KEY and SIGNPOST_PUBLIC_NAME need SIGNPOST_HTTPS_PORT (the port HTTPS listens on, e.g. 443)');
    return undefined;
  }
  if (files && automatic) throw new Error('SIGNPOST_TLS_CERT/SIGNPOST_TLS_KEY and SIGNPOST_PUBLIC_NAME exclude each other: serve certificate files or obtain one automatically');
  if (files) {
    if (env.SIGNPOST_TLS_CERT === undefined || env.SIGNPOST_TLS_KEY === undefined) throw new Error('SIGNPOST_TLS_CERT and SIGNPOST_TLS_KEY go together (the certificate and its private key, PEM files)');
    return { port: env.SIGNPOST_HTTPS_PORT, certificate: { kind: 'files', certFile: env.SIGNPOST_TLS_CERT, keyFile: env.SIGNPOST_TLS_KEY } };
  }
  if (!automatic) throw new Error('SIGNPOST_HTTPS_PORT needs a certificate: SIGNPOST_TLS_CERT and SIGNPOST_TLS_KEY, or SIGNPOST_PUBLIC_NAME to obtain one automatically');
  const outside = env.SIGNPOST_PUBLIC_NAME.filter((name) => !findZone(name.replace(/^\*\./, ''), zones));
  if (outside.length > 0) throw new Error(`SIGNPOST_PUBLIC_NAME must lie inside SIGNPOST_ZONES (${zones.join(', ')}), where Signpost answers the DNS-01 challenge; ${outside.join(', ')} does not`);
  return {
    port: env.SIGNPOST_HTTPS_PORT,
    certificate: {
      kind: 'acme',
      directoryUrl: env.SIGNPOST_ACME_DIRECTORY,
      ...(env.SIGNPOST_ACME_EMAIL === undefined ? {} : { email: env.SIGNPOST_ACME_EMAIL }),
      names: [...new Set(env.SIGNPOST_PUBLIC_NAME)],
      renewBeforeMs: Math.round(env.SIGNPOST_ACME_RENEW_DAYS * DAY_MS),
    },
  };
}
