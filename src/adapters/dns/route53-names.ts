/** Route 53's spelling of ids and names, turned into Signpost's. */
import { canonicalName } from '../../domain/names.js';

export function bareZoneId(id: string): string {
  return id.replace(/^\/?hostedzone\//, '');
}

/** `\052.Example.COM.` → `*.example.com` (Route 53 escapes octal `\ddd`). */
export function fromRoute53Name(name: string): string {
  return canonicalName(name.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8))));
}
