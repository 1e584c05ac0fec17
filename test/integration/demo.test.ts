import { demoCommand } from '../../cli/commands/demo';
import type { DemoResult } from '../../demo/run';

/*
 * `make demo` is what a newcomer runs first: it must keep working. The demo
 * starts its own emulator (not the one of this test run), replays its
 * findings dry-run then enforce, and says what changed; --json gives the
 * same runs as data.
 */

let stdout = '';
let result: DemoResult;
let code: number;

beforeAll(async () => {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    code = await demoCommand({ json: true });
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  result = JSON.parse(stdout) as DemoResult;
}, 120_000);

describe('ir demo --json', () => {
  it('exits 0 with no problem seen, stdout holding only the JSON', () => {
    expect(code).toBe(0);
    expect(result.problems).toBe(0);
  });

  it('answers every finding twice, dry-run then enforce, each routed to its playbook', () => {
    expect(result.runs.map((r) => [r.mode, r.report.playbook])).toEqual([
      ...['contain-instance', 'notify', 'revoke-credentials', 'revoke-credentials', 'notify'].map((p) => ['dry-run', p]),
      ...['contain-instance', 'notify', 'revoke-credentials', 'revoke-credentials', 'notify'].map((p) => ['enforce', p]),
    ]);
  });

  it('changes nothing in dry-run, and isolates in enforce, every run notified', () => {
    for (const run of result.runs.filter((r) => r.mode === 'dry-run')) expect(run.changes).toEqual([]);
    const crypto = result.runs.find((r) => r.mode === 'enforce' && r.file.startsWith('1-'))!;
    expect(crypto.changes.map((c) => c.what)).toEqual(expect.arrayContaining([expect.stringMatching(/security groups/)]));
    expect(crypto.report.summary.failed).toBe(0);
    for (const run of result.runs) expect(run.notification?.subject).toMatch(/^\[GuardDuty IR /);
  });

  it('names the emulator gaps it met: read-only evidence calls moto does not implement', () => {
    expect(result.unsupportedReads).toEqual(['cloudtrail:LookupEvents', 'iam:GenerateServiceLastAccessedDetails']);
  });
});
