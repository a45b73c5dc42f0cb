/**
 * The CDK app's configuration, from context values (`-c key=value` on the
 * command line, or `context` in cdk.json). Nothing is looked up in AWS: the
 * hosted zone is given by id, so `cdk synth` needs no account or network.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

const NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

const list = (value: unknown) =>
  (Array.isArray(value) ? value.map(String) : String(value ?? '').split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');

const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
const lowerName = (s: string) => s.trim().toLowerCase().replace(/\.$/, '');

const RETENTION: Record<number, RetentionDays> = Object.fromEntries(
  Object.values(RetentionDays)
    .filter((v): v is RetentionDays => typeof v === 'number' && v > 0)
    .map((v) => [v, v]),
) as Record<number, RetentionDays>;

const schema = z
  .object({
    stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'lower-case letters, digits and -, starting with a letter (e.g. dev, prod)').default('dev'),
    zone: z
      .unknown()
      .transform(list)
      .transform((zones) => zones.map(lowerName))
      .refine((zones) => zones.length > 0, 'required: the DNS zone(s) Signpost serves, e.g. -c zone=dyn.example.com')
      .refine((zones) => zones.every((z) => NAME.test(z)), 'each zone must be a domain name, e.g. dyn.example.com'),
    hostedZoneId: z
      .unknown()
      .transform(list)
      .transform((ids) => ids.map((id) => id.replace(/^\/?hostedzone\//, '')))
      .refine((ids) => ids.length > 0, 'required: the Route 53 hosted zone id(s), e.g. -c hostedZoneId=Z0123456789ABCDEFGHIJ')
      .refine((ids) => ids.every((id) => /^Z[A-Z0-9]{1,31}$/.test(id)), 'a Route 53 hosted zone id looks like Z0123456789ABCDEFGHIJ'),
    privateZone: flag.default(false),
    alertEmails: z
      .unknown()
      .transform(list)
      .refine((v) => v.every((e) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)), 'comma-separated e-mail addresses'),
    alertHttpsUrls: z
      .unknown()
      .transform(list)
      .refine((v) => v.every((u) => /^https:\/\/[^\s]+$/.test(u)), 'comma-separated https:// URLs'),
    domainName: z.string().transform(lowerName).refine((n) => NAME.test(n), 'a domain name, e.g. ddns.example.com').optional(),
    staticEgressIp: flag.default(false),
    reservedConcurrency: z.coerce.number().int().min(1).max(1000).optional(),
    memorySize: z.coerce.number().int().min(128).max(10240).default(1024),
    logRetentionDays: z.coerce
      .number()
      .int()
      .refine((d) => d in RETENTION, `one of CloudWatch's retention periods: ${Object.keys(RETENTION).join(', ')}`)
      .default(30),
    retainData: flag.optional(),
    ttl: z.coerce.number().int().min(1).max(86400).default(60),
    route53WaitSeconds: z.coerce.number().int().min(0).max(15).default(0),
    throttleRateLimit: z.coerce.number().min(1).default(50),
    throttleBurstLimit: z.coerce.number().int().min(1).default(100),
    /** Instance registration (EC2 events → records), see infra/lib/instance-registration.ts. */
    instanceEvents: flag.default(false),
    instanceHostedZoneIds: z
      .unknown()
      .transform(list)
      .transform((ids) => ids.map((id) => id.replace(/^\/?hostedzone\//, '')))
      .refine((ids) => ids.every((id) => /^Z[A-Z0-9]{1,31}$/.test(id)), 'Route 53 hosted zone ids like Z0123456789ABCDEFGHIJ'),
    instanceAssociateVpc: flag.default(false),
    instanceCreateReverseZones: flag.default(false),
  })
  .superRefine((c, ctx) => {
    if (c.zone.length !== c.hostedZoneId.length) {
      ctx.addIssue({ code: 'custom', path: ['hostedZoneId'], message: `give one hosted zone id per zone (${c.zone.length} zone(s), ${c.hostedZoneId.length} id(s))` });
    }
    if (c.instanceEvents && c.instanceHostedZoneIds.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['instanceHostedZoneIds'], message: 'instance events need the hosted zone ids (public and private) instance records may be written to' });
    }
    if (c.domainName !== undefined) {
      if (c.privateZone) ctx.addIssue({ code: 'custom', path: ['domainName'], message: 'a custom domain needs a public hosted zone (ACM validates through public DNS)' });
      if (!c.zone.some((z) => c.domainName === z || c.domainName!.endsWith(`.${z}`))) {
        ctx.addIssue({ code: 'custom', path: ['domainName'], message: `must be inside one of the zones (${c.zone.join(', ')}) so its certificate and alias can be created there` });
      }
    }
  });

export interface HostedZoneRef {
  readonly zoneName: string;
  readonly hostedZoneId: string;
}

export interface SignpostConfig {
  readonly stage: string;
  /** Zones served, each with its Route 53 hosted zone (same order as given). */
  readonly zones: readonly HostedZoneRef[];
  readonly privateZone: boolean;
  readonly alertEmails: readonly string[];
  readonly alertHttpsUrls: readonly string[];
  readonly domainName?: string;
  readonly staticEgressIp: boolean;
  readonly reservedConcurrency?: number;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  /** Keep the tables when the stack is destroyed (default: only for the `prod` stage). */
  readonly retainData: boolean;
  readonly ttl: number;
  /** Wait this long for Route 53 to report INSYNC before answering (0 = don't wait). */
  readonly route53WaitSeconds: number;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Instance registration: off unless `-c instanceEvents=true`. */
  readonly instances: {
    readonly enabled: boolean;
    readonly hostedZoneIds: readonly string[];
    readonly associateVpc: boolean;
    readonly createReverseZones: boolean;
  };
}

export const CONTEXT_KEYS = Object.keys(schema.shape);

export class ContextError extends Error {
  override name = 'ContextError';
}

/** Validates context values; `get` is `node.tryGetContext` or a plain lookup. */
export function loadConfig(get: (key: string) => unknown): SignpostConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = get(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const key of ['zone', 'hostedZoneId', 'alertEmails', 'alertHttpsUrls', 'instanceHostedZoneIds']) raw[key] ??= undefined; // lists: absent = empty
  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `-c ${String(i.path[0] ?? '?')}: ${i.message}`);
    throw new ContextError(`invalid context:\n  ${lines.join('\n  ')}`);
  }
  const c = result.data;
  return {
    stage: c.stage,
    zones: c.zone.map((zoneName, i) => ({ zoneName, hostedZoneId: c.hostedZoneId[i]! })),
    privateZone: c.privateZone,
    alertEmails: c.alertEmails,
    alertHttpsUrls: c.alertHttpsUrls,
    ...(c.domainName !== undefined ? { domainName: c.domainName } : {}),
    staticEgressIp: c.staticEgressIp,
    ...(c.reservedConcurrency !== undefined ? { reservedConcurrency: c.reservedConcurrency } : {}),
    memorySize: c.memorySize,
    logRetention: RETENTION[c.logRetentionDays]!,
    retainData: c.retainData ?? c.stage === 'prod',
    ttl: c.ttl,
    route53WaitSeconds: c.route53WaitSeconds,
    throttle: { rateLimit: c.throttleRateLimit, burstLimit: c.throttleBurstLimit },
    instances: {
      enabled: c.instanceEvents,
      hostedZoneIds: c.instanceHostedZoneIds,
      associateVpc: c.instanceAssociateVpc,
      createReverseZones: c.instanceCreateReverseZones,
    },
  };
}

/** The stack name: one per stage, so dev and prod live side by side in one account. */
export const stackName = (stage: string) => `Signpost-${stage}`;
