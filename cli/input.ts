import { readFileSync } from 'node:fs';
import { parseFindingsText } from '../lambda/finding/parse';
import type { Finding } from '../lambda/finding/schema';
import { UsageError } from './exit-codes';

function readText(source: string): string {
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${source === '-' ? 'standard input' : source}: ${code ?? String(error)}`);
  }
}

/** Reads findings from a file or `-` (stdin), in any of the accepted shapes. */
export function readFindings(source: string): Finding[] {
  return parseFindingsText(readText(source));
}

export interface FindingInput {
  /** The input as given (decoded JSON), for passing on unchanged. */
  readonly document: unknown;
  readonly findings: Finding[];
}

/** Like readFindings, keeping the decoded input too. */
export function readFindingInput(source: string): FindingInput {
  const text = readText(source);
  const findings = parseFindingsText(text);
  return { document: JSON.parse(text) as unknown, findings };
}
