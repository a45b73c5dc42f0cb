/**
 * The code samples of README.md, as the tests run them: the fenced block
 * that follows a marker (a heading or a bold label, quoted exactly), with
 * only the documented substitutions (server address/port, credentials)
 * applied by the test that runs it.
 */
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './child-server.js';

const README = readFileSync(`${REPO_ROOT}README.md`, 'utf8');

/** The body of the first fenced code block after `marker` (which must occur exactly once). */
export function readmeBlock(marker: string): string {
  const at = README.indexOf(marker);
  if (at < 0 || README.indexOf(marker, at + 1) >= 0) throw new Error(`README.md must contain "${marker}" exactly once`);
  const fence = /^```[^\n]*\n([\s\S]*?)^```$/m.exec(README.slice(at + marker.length));
  if (!fence) throw new Error(`no fenced block after "${marker}" in README.md`);
  return fence[1]!;
}

/** The README's example server (`signpost.example.com:8080`, `localhost:8080`) replaced by a test server's. */
export function atServer(sample: string, hostPort: string): string {
  return sample.replaceAll('signpost.example.com:8080', hostPort).replaceAll('localhost:8080', hostPort);
}

/** The first inline code span (`…`) after `marker`. */
export function readmeInline(marker: string): string {
  const at = README.indexOf(marker);
  if (at < 0) throw new Error(`README.md must contain "${marker}"`);
  const span = /`([^`\n]+)`/.exec(README.slice(at + marker.length));
  if (!span) throw new Error(`no inline code after "${marker}" in README.md`);
  return span[1]!;
}

/** The fail2ban filter exactly as the README gives it ("Operations"), `<HOST>` as a named group `host`. */
export function readmeFailregex(): RegExp {
  const block = /^( *)```ini\n\1# \/etc\/fail2ban\/filter\.d\/signpost\.conf\n([\s\S]*?)^\1```/m.exec(README);
  if (!block) throw new Error('no fail2ban filter in README.md');
  const line = block[2]!.split('\n').map((l) => l.trim()).find((l) => l.startsWith('failregex = '));
  // fail2ban's <HOST> matches an address; for the test an address-shaped group will do.
  return new RegExp(line!.slice('failregex = '.length).replace('<HOST>', '(?<host>[0-9A-Fa-f:.]+)'));
}

/** The README's settings block after `marker` (`NAME=value` lines) as an environment. */
export function readmeEnv(marker: string): Record<string, string> {
  const lines = readmeBlock(marker).trim().split('\n');
  return Object.fromEntries(
    lines.map((line) => {
      const eq = line.indexOf('=');
      if (eq < 1) throw new Error(`not a NAME=value line in the README block after "${marker}": ${line}`);
      return [line.slice(0, eq), line.slice(eq + 1)];
    }),
  );
}
