import type { BucketReleaseReport } from '../../lambda/release/bucket';
import { safePaintedLine, untrusted as v, untrustedText as t } from '../../lambda/text/untrusted';
import { paint } from './colors';
import { finishLines, stepLine } from './release-text';

/** `ir release --bucket` for the terminal, as the other releases are rendered (release-text.ts). */
export function renderBucketRelease(report: BucketReleaseReport): string {
  const mode = report.refused ? paint('red', 'REFUSED') : report.dryRun ? paint('yellow', 'DRY-RUN (no change made)') : paint('red', 'RELEASED');
  const head = [`${paint('bold', 'release')} bucket ${v(report.bucket)}`, `  mode    ${mode}`];
  if (report.refused) return [...head, `  ${paint('red', 'refused')} ${t(report.refused)}`].map(safePaintedLine).join('\n');
  const block = report.record?.publicAccessBlock;
  const { done, skipped, failed } = report.summary;
  return [
    ...head,
    `  record: from the ledger (${v(report.key)})`,
    `    public access block before the response: ${block === null || block === undefined ? 'none' : v(JSON.stringify(block))}`,
    '  steps:',
    ...report.steps.map(stepLine),
    ...(report.warnings.length > 0 ? ['  warnings:', ...report.warnings.map((w) => `    ${paint('yellow', '!')} ${t(w)}`)] : []),
    `  result  ${paint('green', `${done} done`)}, ${paint('yellow', `${skipped} skipped`)}, ${paint(failed > 0 ? 'red' : 'dim', `${failed} failed`)}`,
    ...finishLines(report),
  ]
    .map(safePaintedLine)
    .join('\n');
}
