/**
 * The `signpost` command: `serve` runs the service; the other commands
 * administer the same store the server uses (SQLite under SIGNPOST_DATA_DIR).
 * Exit codes: 0 success, 1 the operation failed, 2 usage error, 78 bad configuration.
 */
import { Command, CommanderError } from 'commander';
import { createInterface } from 'node:readline';
import { passwordSchema, grantPatternSchema, hostnameSchema, setAddressesSchema, usernameSchema } from '../../app/schemas.js';
import { SignpostError } from '../../domain/errors.js';
import { ConfigError, loadConfig } from '../../config/env.js';
import { createCore, type Core } from '../../config/services.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { startServer } from './server.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_CONFIG = 78;

async function withCore<T>(work: (core: Core) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const core = await createCore(config, { logger: createLogger('warn', process.stderr as never) });
  try {
    return await work(core);
  } finally {
    await core.close();
  }
}

function check<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: string, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new SignpostError('invalid_request', `${what}: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return r.data;
}

/** Passwords come from --password, else the first line of standard input (so they stay out of `ps`). */
async function readPassword(option: string | undefined): Promise<string> {
  if (option !== undefined) return check(passwordSchema, option, 'password');
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const rl = createInterface({ input: process.stdin, terminal: false });
  const line = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return check(passwordSchema, line, 'password');
}

const print = (value: unknown): void => {
  process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
};

export function buildCli(): Command {
  const program = new Command('signpost').description('Signpost dynamic DNS').exitOverride().showHelpAfterError();

  program
    .command('serve')
    .description('run the update API (and DNS) on the configured ports')
    .action(async () => {
      const config = loadConfig(process.env);
      const server = await startServer(config);
      if (server.adminKey.generated) {
        process.stdout.write(
          `\nSignpost generated an admin API key. It is shown only now; store it safely:\n\n  ${server.adminKey.generated}\n\n` +
            `Use it as the X-API-KEY header of the admin API.\n\n`,
        );
      }
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
    .description('create an account (password from --password or standard input)')
    .option('-p, --password <password>', 'the password (prefer standard input)')
    .option('-d, --domain <name...>', 'names (or *.suffix patterns) the user may update', [])
    .action(async (username: string, opts: { password?: string; domain: string[] }) => {
      const input = {
        username: check(usernameSchema, username, 'username'),
        password: await readPassword(opts.password),
        domains: opts.domain.map((d) => check(grantPatternSchema, d, 'domain')),
      };
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
  user
    .command('passwd <username>')
    .description('set a new password (from --password or standard input)')
    .option('-p, --password <password>', 'the password (prefer standard input)')
    .action(async (username: string, opts: { password?: string }) => {
      const password = await readPassword(opts.password);
      await withCore((core) => core.accounts.setPassword(username, password));
      print(`password changed for ${username}`);
    });

  const grant = program.command('grant').description('manage the names a user may update');
  grant
    .command('add <username> <name>')
    .description('allow a user to update a name or *.suffix')
    .action(async (username: string, name: string) =>
      print(await withCore((core) => core.accounts.addGrant(username, check(grantPatternSchema, name, 'name')))),
    );
  grant
    .command('remove <username> <name>')
    .description('withdraw a grant (hosts no longer covered are removed)')
    .action(async (username: string, name: string) =>
      print(await withCore((core) => core.accounts.removeGrant(username, check(grantPatternSchema, name, 'name')))),
    );

  const token = program.command('token').description('manage per-host update tokens');
  token
    .command('create <username> <hostname>')
    .description('create an update token for one host; the token is shown once')
    .action(async (username: string, hostname: string) =>
      print(await withCore((core) => core.accounts.createToken(username, check(hostnameSchema, hostname, 'hostname')))),
    );
  token.command('list <username>').description("list a user's tokens (not their secrets)").action(async (username: string) => print(await withCore((core) => core.accounts.listTokens(username))));
  token
    .command('revoke <id>')
    .description('revoke a token')
    .action(async (id: string) => {
      await withCore((core) => core.accounts.revokeToken(id));
      print(`revoked ${id}`);
    });

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
      const parsed = setAddressesSchema.safeParse({ v4: opts.clearV4 ? null : opts.v4, v6: opts.clearV6 ? null : opts.v6 });
      if (!parsed.success) throw new SignpostError('invalid_request', `addresses: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      const addresses = parsed.data;
      const hostname = check(hostnameSchema, name, 'hostname');
      print(await withCore((core) => core.setHostAddresses.execute({ name: hostname, ...addresses, sourceAddress: '', userAgent: 'signpost CLI' })));
    });
  host
    .command('unblock <hostname>')
    .description('lift an abuse block')
    .action(async (name: string) => print(await withCore((core) => core.accounts.unblock(check(hostnameSchema, name, 'hostname')))));

  program
    .command('history <hostname>')
    .description('recent updates of a host, newest first')
    .option('-n, --limit <count>', 'how many entries', '20')
    .action(async (name: string, opts: { limit: string }) => {
      const limit = Math.min(Math.max(Number.parseInt(opts.limit, 10) || 20, 1), 1000);
      const entries = await withCore((core) => core.accounts.history(check(hostnameSchema, name, 'hostname'), limit));
      print(entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })));
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof ConfigError) {
      process.stderr.write(`signpost: ${error.message}\n`);
      return EXIT_CONFIG;
    }
    if (error instanceof SignpostError) {
      process.stderr.write(`signpost: ${error.message} (${error.code})\n`);
      return error.code === 'invalid_request' ? EXIT_USAGE : EXIT_FAILURE;
    }
    if (error instanceof Error && 'code' in error && (error.code === 'EADDRINUSE' || error.code === 'EACCES')) {
      process.stderr.write(
        `signpost: ${error.message}\n  another process holds this port, or it needs privileges: ` +
          'choose others with SIGNPOST_HTTP_PORT / SIGNPOST_DNS_PORT (and SIGNPOST_HOST)\n',
      );
      return EXIT_CONFIG;
    }
    process.stderr.write(`signpost: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').slice(-4).join('/'));
if (invokedDirectly) process.exitCode = await main(process.argv);
