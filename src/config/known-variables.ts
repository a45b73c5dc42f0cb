/**
 * Every SIGNPOST_* variable some part of Signpost reads, so a misspelt one
 * (`SIGNPOST_ZONE`) is reported instead of silently ignored.
 */
import { CONFIG_VARIABLES } from './env.js';
import { INSTANCE_VARIABLES } from './instance-env.js';
import { LAMBDA_VARIABLES } from './lambda-env.js';

/** Set on the Lambda functions by the CDK app (infra/lib/lambda-function.ts). */
const INFRA_VARIABLES = ['SIGNPOST_LAMBDA_ENTRY'];

export const KNOWN_VARIABLES: ReadonlySet<string> = new Set(
  [...CONFIG_VARIABLES, ...LAMBDA_VARIABLES, ...INSTANCE_VARIABLES, ...INFRA_VARIABLES].filter((n) => n.startsWith('SIGNPOST_')),
);

/** One warning per unknown SIGNPOST_* variable in `env`, naming the closest known one when there is a plausible one. */
export function unknownVariableWarnings(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('SIGNPOST_') && !KNOWN_VARIABLES.has(name))
    .sort()
    .map((name) => {
      const suggestion = closest(name);
      return `${name} is not a Signpost setting and is ignored${suggestion ? `; did you mean ${suggestion}?` : ''}`;
    });
}

function closest(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of KNOWN_VARIABLES) {
    const d = distance(name.slice('SIGNPOST_'.length), known.slice('SIGNPOST_'.length));
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  // Beyond about a third of the name changed, a suggestion is more confusing than helpful.
  return bestDistance <= Math.max(2, Math.floor((name.length - 'SIGNPOST_'.length) / 3)) ? best : undefined;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
