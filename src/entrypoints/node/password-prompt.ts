/**
 * How the CLI reads a password that was not given as an option. On a
 * terminal it is asked for twice without echo (a typo would otherwise set a
 * password nobody knows); from a pipe it is the first line, so scripts keep
 * working (`echo … | signpost user add alice`).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { SignpostError } from '../../domain/errors.js';

export interface PromptIo {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Where prompts go: standard error, so standard output stays the command's result. */
  readonly stderr: NodeJS.WritableStream;
}

export async function promptPassword(io: PromptIo): Promise<string> {
  if (!io.stdin.isTTY) return firstLine(io.stdin);
  const [first, second] = await askHidden(io, ['Password: ', 'Repeat password: ']);
  if (first !== second) throw new SignpostError('invalid_request', 'the two passwords do not match');
  return first!;
}

async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  const rl = createInterface({ input, terminal: false });
  const line = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return line;
}

/**
 * readline in terminal mode puts the TTY in raw mode (so the kernel does not
 * echo) and does the line editing; its own echo goes to a sink. One
 * interface reads every answer, so lines typed ahead are not lost.
 */
async function askHidden(io: PromptIo, prompts: readonly string[]): Promise<string[]> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: io.stdin, output: sink, terminal: true, historySize: 0 });
  const lines: string[] = [];
  let ended = false;
  let wake = (): void => undefined;
  rl.on('line', (line) => (lines.push(line), wake()));
  rl.on('close', () => ((ended = true), wake()));
  rl.on('SIGINT', () => rl.close()); // Ctrl-C cancels instead of being swallowed by raw mode
  try {
    const answers: string[] = [];
    for (const prompt of prompts) {
      io.stderr.write(prompt);
      while (lines.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
      io.stderr.write('\n');
      const line = lines.shift();
      if (line === undefined) throw new Error('no password entered');
      answers.push(line);
    }
    return answers;
  } finally {
    rl.close();
  }
}
