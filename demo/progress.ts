import { paint } from '../cli/render/colors';

/** One line per step of the demo: what is happening, then how long it took. */
export async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  process.stdout.write(`${paint('cyan', '▸')} ${label} … `);
  try {
    const result = await work();
    process.stdout.write(`${paint('green', 'done')} ${paint('dim', `(${((Date.now() - started) / 1000).toFixed(1)} s)`)}\n`);
    return result;
  } catch (error) {
    process.stdout.write(`${paint('red', 'failed')}\n`);
    throw error;
  }
}

export function heading(text: string): void {
  process.stdout.write(`\n${paint('bold', `━━ ${text} ${'━'.repeat(Math.max(0, 74 - text.length))}`)}\n`);
}

export function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((line) => `${by}${line}`)
    .join('\n');
}
