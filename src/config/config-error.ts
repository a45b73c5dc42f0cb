/**
 * A configuration the process cannot run with. Entry points print its
 * message and exit 78 (EX_CONFIG). Kept apart from the schemas so the CLI
 * can recognise it without loading them.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
