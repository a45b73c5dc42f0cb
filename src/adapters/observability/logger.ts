import pino, { type DestinationStream, type Logger } from 'pino';

/** Query parameters whose values are secrets in some client's URL scheme. */
const SECRET_PARAMS = /^(pass(word)?|pwd|token|secret|key|api_?key)$/i;

/** A URL path with its secret query values replaced, safe to log. */
export function redactUrl(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  if (q < 0) return pathAndQuery;
  const parts = pathAndQuery
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        /* keep raw */
      }
      return SECRET_PARAMS.test(name) && eq >= 0 ? `${rawName}=[REDACTED]` : pair;
    });
  return `${pathAndQuery.slice(0, q)}?${parts.join('&')}`;
}

/** pino JSON logger; secret-bearing fields are censored wherever they appear. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'signpost' },
      redact: {
        paths: ['password', 'token', 'adminKey', '*.password', '*.token', '*.authorization', '*["x-api-key"]', 'headers.authorization'],
        censor: '[REDACTED]',
      },
    },
    destination,
  );
}
