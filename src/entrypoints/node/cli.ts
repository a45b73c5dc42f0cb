/**
 * The `signpost` command: `serve` runs the service; the other commands
 * administer the same store the server uses (SQLite under SIGNPOST_DATA_DIR).
 * Exit codes: 0 success, 1 the operation failed, 2 usage error, 78 bad configuration.
 *
 * Only commander is loaded up front, so `--help` and `--version` stay quick:
 * configuration (zod), the store, the server and the AWS SDK are imported
 * by the commands that use them.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SignpostError } from '../../domain/errors.js';
import { ConfigError } from '../../config/config-error.js';
import type { Config } from '../../config/env.js';
import type { Core } from '../../config/services.js';
import { registerDataCommands } from './data-commands.js';
import { promptPassword } from './password-prompt.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_CONFIG = 78;

/** Where the CLI reads and writes: the process's own streams, or a test's. */
export interface CliIo {
  readonly env: Record<string, string | undefined>;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
}

const processIo = (): CliIo => ({ env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/**
 * The version in the project's package.json, found by walking up from this
 * module: it runs from src/ (tsx, tests) and from a bundle cached under
 * node_modules/.cache (bin/signpost.js), at different depths.
 */
function version(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const file = new URL('package.json', dir);
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'signpost' && pkg.version) return pkg.version;
    }
    if (dir.pathname === '/') return 'unknown';
  }
}

function check<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: string, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new SignpostError('invalid_request', `${what}: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return r.data;
}

const MAX_HISTORY = 1000;
function historyLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_HISTORY) throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_HISTORY}.`);
  return n;
}

export function buildCli(io: CliIo = processIo()): Command {
  const program = new Command('signpost')
    .description('Signpost dynamic DNS')
    .version(version(), '-V, --version', 'print the version')
    .option('--data-dir <dir>', 'the data directory (overrides SIGNPOST_DATA_DIR)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError();

  /** Configuration from the environment (and --data-dir), after warning about misspelt variables. */
  const loadCliConfig = async (): Promise<Config> => {
    const [{ loadConfig }, { unknownVariableWarnings }] = await Promise.all([import('../../config/env.js'), import('../../config/known-variables.js')]);
    const dataDir = program.opts<{ dataDir?: string }>().dataDir;
    const env = dataDir === undefined ? io.env : { ...io.env, SIGNPOST_DATA_DIR: dataDir };
    for (const warning of unknownVariableWarnings(env)) io.stderr.write(`signpost: warning: ${warning}\n`);
    return loadConfig(env);
  };

  /**
   * The configuration of an existing store. Administrative commands never
   * create one (that is `serve`'s job): run from the wrong directory, they
   * would otherwise work on a new, empty database.
   */
  let existing: Promise<Config> | undefined;
  const requireStore = (): Promise<Config> =>
    (existing ??= (async () => {
      const config = await loadCliConfig();
      const { databasePath } = await import('../../config/services.js');
      if (!existsSync(databasePath(config))) {
        throw new ConfigError(
          `no Signpost database in ${resolve(config.dataDir)}: point SIGNPOST_DATA_DIR (or --data-dir) at the directory \`signpost serve\` uses; ` +
            '`signpost serve` creates a new database',
        );
      }
      return config;
    })());

  const withCore = async <T>(work: (core: Core) => Promise<T>): Promise<T> => {
    const config = await requireStore();
    const [{ createAdminCore }, { createLogger }] = await Promise.all([import('../../config/services.js'), import('../../adapters/observability/logger.js')]);
    const core = await createAdminCore(config, { logger: createLogger('warn', io.stderr as never) });
    try {
      return await work(core);
    } finally {
      await core.close();
    }
  };

  /** Passwords come from --password, else standard input (so they stay out of `ps`); asked only once the store is known to exist. */
  const readPassword = async (option: string | undefined): Promise<string> => {
    await requireStore();
    const { passwordSchema } = await import('../../app/schemas.js');
    return check(passwordSchema, option ?? (await promptPassword(io)), 'password');
  };

  const print = (value: unknown): void => {
    io.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
  };

  program
    .command('serve')
    .description('run the update API (and DNS) on the configured ports; creates the data directory if needed')
    .action(async () => {
      const config = await loadCliConfig();
      const [{ startServer }, { explainListenError }, { announceGeneratedAdminKey }] = await Promise.all([
        import('./server.js'),
        import('./listen-errors.js'),
        import('./admin-key-banner.js'),
      ]);
      const server = await startServer(config).catch((error: unknown) => {
        throw explainListenError(error, config) ?? error;
      });
      announceGeneratedAdminKey(server.adminKey.generated, io.stderr, server.core.logger);
      server.core.logger.info({ url: server.url, zones: config.zones, dataDir: config.dataDir }, 'signpost listening');
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          server.core.logger.info({ signal }, 'shutting down');
          void server.close().then(resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });

  const user = program.command('user').description('manage accounts');
  user
    .command('add <username>')
    .description('create an account (password from --password, or asked for on standard input)')
    .option('-p, --password <password>', 'the password (prefer standard input)')
    .option('-d, --domain <name...>', 'names (or *.suffix patterns) the user may update', [])
    .option('--admin', 'give the account the admin role (the admin pages)', false)
    .action(async (username: string, opts: { password?: string; domain: string[]; admin: boolean }) => {
      const { usernameSchema, grantPatternSchema } = await import('../../app/schemas.js');
      const name = check(usernameSchema, username, 'username');
      const domains = opts.domain.map((d) => check(grantPatternSchema, d, 'domain'));
      const input = { username: name, password: await readPassword(opts.password), domains, admin: opts.admin };
      print(await withCore((core) => core.accounts.createUser(input)));
    });
  user.command('list').description('list accounts').action(async () => print(await withCore((core) => core.accounts.listUsers())));
  user
    .command('remove <username>')
    .description('delete an account, its grants, tokens and hosts')
    .action(async (username: string) => {
      await withCore((core) => core.accounts.deleteUser(username));
      print(`removed ${username}`);
    });
  for (const [command, admin, description] of [
    ['promote', true, 'give an account the admin role'],
    ['demote', false, 'take the admin role from an account'],
  ] as const) {
    user
      .command(`${command} <username>`)
      .description(description)
      .action(async (username: string) => print(await withCore((core) => core.accounts.setAdmin(username, admin))));
  }
  user
    .command('passwd <username>')
    .description('set a new password (from --password, or asked for on standard input)')
    .option('-p, --password <password>', 'the password (prefer standard input)')
    .action(async (username: string, opts: { password?: string }) => {
      const password = await readPassword(opts.password);
      await withCore((core) => core.accounts.resetPassword(username, password));
      print(`password changed for ${username}`);
    });

  const grant = program.command('grant').description('manage the names a user may update');
  grant
    .command('add <username> <name>')
    .description('allow a user to update a name or *.suffix')
    .action(async (username: string, name: string) => {
      const { grantPatternSchema } = await import('../../app/schemas.js');
      print(await withCore((core) => core.accounts.addGrant(username, check(grantPatternSchema, name, 'name'))));
    });
  grant
    .command('remove <username> <name>')
    .description('withdraw a grant (hosts no longer covered are removed)')
    .action(async (username: string, name: string) => {
      const { grantPatternSchema } = await import('../../app/schemas.js');
      print(await withCore((core) => core.accounts.removeGrant(username, check(grantPatternSchema, name, 'name'))));
    });

  const token = program.command('token').description('manage per-host update tokens');
  token
    .command('create <username> <hostname>')
    .description('create an update token for one host; the token is shown once')
    .action(async (username: string, hostname: string) => {
      const { hostnameSchema } = await import('../../app/schemas.js');
      print(await withCore((core) => core.accounts.createToken(username, check(hostnameSchema, hostname, 'hostname'))));
    });
  token.command('list <username>').description("list a user's tokens (not their secrets)").action(async (username: string) => print(await withCore((core) => core.accounts.listTokens(username))));
  token
    .command('revoke <id>')
    .description('revoke a token')
    .action(async (id: string) => {
      await withCore((core) => core.accounts.revokeToken(id));
      print(`revoked ${id}`);
    });

  const tsig = program.command('tsig').description("manage users' TSIG keys (RFC 2136 UPDATE to the built-in DNS server)");
  tsig
    .command('create <username>')
    .description('create a TSIG key; the secret is shown once, with the key for `nsupdate -y`')
    .option('-n, --name <name>', 'the key name, a DNS name unique across users (default: from the user name and random digits)')
    .option('-a, --algorithm <algorithm>', 'hmac-sha256 (default) or hmac-sha512')
    .action(async (username: string, opts: { name?: string; algorithm?: string }) => {
      const { usernameSchema, tsigKeyNameSchema, tsigAlgorithmSchema } = await import('../../app/schemas.js');
      const input = {
        ...(opts.name === undefined ? {} : { name: check(tsigKeyNameSchema, opts.name, 'name') }),
        ...(opts.algorithm === undefined ? {} : { algorithm: check(tsigAlgorithmSchema, opts.algorithm, 'algorithm') }),
      };
      const key = await withCore((core) => core.tsigKeys.create(check(usernameSchema, username, 'username'), input));
      print({ ...key, nsupdateKey: `${key.algorithm}:${key.name}:${key.secret}` });
    });
  tsig.command('list <username>').description("list a user's TSIG keys (not their secrets)").action(async (username: string) => print(await withCore((core) => core.tsigKeys.list(username))));
  tsig
    .command('revoke <username> <name>')
    .description('delete one of the user’s TSIG keys; updates signed with it are refused at once')
    .action(async (username: string, name: string) => {
      const { tsigKeyNameSchema } = await import('../../app/schemas.js');
      const canonical = check(tsigKeyNameSchema, name, 'name');
      await withCore((core) => core.tsigKeys.revoke(username, canonical));
      print(`revoked ${canonical}`);
    });

  const challenge = program.command('challenge').description('inspect ACME DNS-01 challenge records');
  challenge
    .command('list <username>')
    .description("a user's challenge names: live values with their expiry, or the acme-dns alias")
    .action(async (username: string) => print(await withCore((core) => core.challenges.listOf(username))));

  const host = program.command('host').description('inspect hosts');
  host
    .command('list')
    .description('list hosts and their current addresses')
    .option('-o, --owner <username>', 'only this user’s hosts')
    .action(async (opts: { owner?: string }) => print(await withCore((core) => core.accounts.listHosts(opts.owner))));
  host
    .command('set <hostname>')
    .description('set or remove addresses (families not named stay as they are)')
    .option('--v4 <address>', 'set the IPv4 address')
    .option('--v6 <address>', 'set the IPv6 address')
    .option('--clear-v4', 'remove the IPv4 address')
    .option('--clear-v6', 'remove the IPv6 address')
    .action(async (name: string, opts: { v4?: string; v6?: string; clearV4?: boolean; clearV6?: boolean }) => {
      if ((opts.v4 !== undefined && opts.clearV4) || (opts.v6 !== undefined && opts.clearV6)) {
        throw new SignpostError('invalid_request', 'an address family cannot be both set and cleared');
      }
      const { hostnameSchema, setAddressesSchema } = await import('../../app/schemas.js');
      const parsed = setAddressesSchema.safeParse({ v4: opts.clearV4 ? null : opts.v4, v6: opts.clearV6 ? null : opts.v6 });
      if (!parsed.success) throw new SignpostError('invalid_request', `addresses: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      const addresses = parsed.data;
      const hostname = check(hostnameSchema, name, 'hostname');
      print(await withCore((core) => core.setHostAddresses.execute({ name: hostname, ...addresses, sourceAddress: '', userAgent: 'signpost CLI' })));
    });
  host
    .command('unblock <hostname>')
    .description('lift an abuse block')
    .action(async (name: string) => {
      const { hostnameSchema } = await import('../../app/schemas.js');
      print(await withCore((core) => core.accounts.unblock(check(hostnameSchema, name, 'hostname'))));
    });

  program
    .command('history <hostname>')
    .description('recent updates of a host, newest first')
    .option('-n, --limit <count>', `how many entries (1 to ${MAX_HISTORY})`, historyLimit, 20)
    .action(async (name: string, opts: { limit: number }) => {
      const { hostnameSchema } = await import('../../app/schemas.js');
      const hostname = check(hostnameSchema, name, 'hostname');
      const entries = await withCore((core) => core.accounts.history(hostname, opts.limit));
      print(entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })));
    });

  program
    .command('activity')
    .description('recent updates across all hosts, newest first')
    .option('-u, --user <username>', 'only this user’s entries')
    .option('-H, --host <hostname>', 'only this host’s entries')
    .option('-r, --result <result>', 'only this result (good, nochg, abuse, dnserr, 911)')
    .option('-n, --limit <count>', `how many entries (1 to ${MAX_HISTORY})`, historyLimit, 20)
    .action(async (opts: { user?: string; host?: string; result?: string; limit: number }) => {
      const { activityQuerySchema } = await import('../../app/schemas.js');
      const parsed = activityQuerySchema.safeParse({ user: opts.user, host: opts.host, result: opts.result, limit: String(opts.limit) });
      if (!parsed.success) throw new SignpostError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const { user: owner, host: hostname, result, limit } = parsed.data;
      const filter = { ...(owner ? { owner } : {}), ...(hostname ? { hostname } : {}), ...(result ? { result } : {}) };
      const entries = await withCore((core) => core.accounts.activity(filter, limit));
      print(entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })));
    });

  registerDataCommands(program, { config: loadCliConfig, withCore, print, warn: (text) => io.stderr.write(`signpost: warning: ${text}\n`) });

  return program;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildCli(io).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof ConfigError) {
      io.stderr.write(`signpost: ${error.message}\n`);
      return EXIT_CONFIG;
    }
    if (error instanceof SignpostError) {
      io.stderr.write(`signpost: ${error.message} (${error.code})\n`);
      return error.code === 'invalid_request' ? EXIT_USAGE : EXIT_FAILURE;
    }
    io.stderr.write(`signpost: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').slice(-4).join('/'));
if (invokedDirectly) process.exitCode = await main(process.argv);
