import { paint } from '../cli/render/colors';

/** Where the demo's readable output goes: stdout, or stderr when stdout carries JSON (`ir demo --json`). */
let out: NodeJS.WritableStream = process.stdout;

export function writeProgressTo(stream: NodeJS.WritableStream): void {
  out = stream;
}

/** One line per step of the demo: what is happening, then how long it took. */
export async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  out.write(`${paint('cyan', '▸')} ${label} … `);
  try {
    const result = await work();
    out.write(`${paint('green', 'done')} ${paint('dim', `(${((Date.now() - started) / 1000).toFixed(1)} s)`)}\n`);
    return result;
  } catch (error) {
    out.write(`${paint('red', 'failed')}\n`);
    throw error;
  }
}

export function heading(text: string): void {
  out.write(`\n${paint('bold', `━━ ${text} ${'━'.repeat(Math.max(0, 74 - text.length))}`)}\n`);
}

export function say(text = ''): void {
  out.write(`${text}\n`);
}

export function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((line) => `${by}${line}`)
    .join('\n');
}
