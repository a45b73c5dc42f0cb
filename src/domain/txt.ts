/**
 * TXT values in presentation form (RFC 1035 §5.1): one or more
 * character-strings, each quoted (`"a b" "c"`) or bare (`abc`), with `\X`
 * and `\DDD` escapes. UPDATE compares and checks the strings a value
 * carries, not its spelling, so `"abc"` and `abc` are the same value.
 */

/** Octets one character-string holds at most. */
const MAX_STRING_OCTETS = 255;
const UTF8 = new TextEncoder();

/**
 * The character-strings of a TXT value, each as a string of octets (one
 * UTF-16 unit per octet, 0–255), or undefined when the text is malformed
 * (an unterminated quote, a bad escape, a string over 255 octets, nothing at all).
 */
export function txtStrings(value: string): string[] | undefined {
  const strings: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  skipSpace();
  while (i < value.length) {
    const quoted = value[i] === '"';
    if (quoted) i++;
    let octets = '';
    for (;;) {
      if (i >= value.length) {
        if (quoted) return undefined; // unterminated quote
        break;
      }
      const c = value[i]!;
      if (quoted ? c === '"' : c === ' ' || c === '\t') break;
      if (!quoted && (c === '"' || c === '(' || c === ')' || c === ';')) return undefined;
      if (c === '\\') {
        const digits = /^\d{3}/.exec(value.slice(i + 1, i + 4));
        if (digits) {
          const octet = Number(digits[0]);
          if (octet > 255) return undefined;
          octets += String.fromCharCode(octet);
          i += 4;
          continue;
        }
        if (i + 1 >= value.length) return undefined;
        i++;
      }
      // Text beyond ASCII stands for its UTF-8 octets (as the built-in server encodes it).
      const char = String.fromCodePoint(value.codePointAt(i)!);
      octets += char.charCodeAt(0) < 0x80 ? char : String.fromCharCode(...UTF8.encode(char));
      i += char.length;
    }
    if (quoted) i++; // the closing quote
    if (octets.length > MAX_STRING_OCTETS) return undefined;
    strings.push(octets);
    const before = i;
    skipSpace();
    if (i < value.length && i === before) return undefined; // `"a"b`: strings must be separated
  }
  return strings.length === 0 ? undefined : strings;
}

/** One character-string in presentation form, as the providers keep TXT values. */
export function quoteTxt(octets: string): string {
  return `"${octets.replace(/["\\]/g, '\\$&')}"`;
}
