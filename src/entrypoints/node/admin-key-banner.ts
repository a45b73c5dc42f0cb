import type { Logger } from 'pino';

/**
 * Shows a freshly generated admin key on the terminal only: standard output
 * carries JSON logs, and a key that is "shown only once" must not be kept by
 * a log collector. Without a terminal on standard error the key is not shown
 * at all; the log says how to choose one instead (a configured key replaces
 * the generated one, see app/admin-key.ts).
 */
export function announceGeneratedAdminKey(
  key: string | undefined,
  terminal: { readonly isTTY?: boolean; write(text: string): unknown },
  logger: Pick<Logger, 'warn'>,
): void {
  if (key === undefined) return;
  if (terminal.isTTY) {
    terminal.write(
      `\nSignpost generated an admin API key. It is shown only now; store it safely:\n\n  ${key}\n\n` +
        `Use it as the X-API-KEY header of the admin API.\n\n`,
    );
    return;
  }
  logger.warn(
    'generated an admin API key but did not show it: standard error is not a terminal. ' +
      'Set SIGNPOST_ADMIN_KEY to choose the key (it replaces the generated one)',
  );
}
