/** dyndns2 credentials from every channel real clients use. */
export type Credentials = { readonly username: string; readonly password: string };

/**
 * `Authorization: Basic` wins; otherwise query/form `username`|`user` +
 * `password`|`pass` (Fritz!Box, OpenWrt, inadyn `%u`/`%p`). Returns
 * 'malformed' for a Basic header that cannot be decoded, undefined when no
 * credentials were sent at all (the caller then challenges with 401).
 */
export function extractCredentials(authorization: string | undefined, param: (name: string) => string | undefined): Credentials | 'malformed' | undefined {
  if (authorization !== undefined && authorization.trim() !== '') {
    const match = /^Basic[ \t]+([A-Za-z0-9+/=_-]+)[ \t]*$/i.exec(authorization);
    if (!match?.[1]) return 'malformed';
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || decoded.includes('\uFFFD')) return 'malformed';
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const username = param('username') ?? param('user');
  const password = param('password') ?? param('pass');
  if (username === undefined && password === undefined) return undefined;
  if (!username || !password) return 'malformed';
  return { username, password };
}
