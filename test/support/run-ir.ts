import { main } from '../../cli/main';

export interface IrRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ir` in-process, capturing what it writes. */
export async function runIr(...args: string[]): Promise<IrRun> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'ir', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
