import { renderPlan, renderReport } from '../../../cli/render/plan-text';
import type { Report, StepReport } from '../../../lambda/plan/document';

const base: Omit<StepReport, 'id' | 'title' | 'action' | 'target' | 'status'> = {
  iamActions: [],
  parameters: {},
  mutating: false,
  why: 'test',
  stage: 3,
  requires: [],
  durationMs: 5,
};

const report: Report = {
  playbook: 'revoke-credentials',
  findingId: 'f-1',
  findingType: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
  severity: 5,
  accountId: '222222222222',
  region: 'us-east-1',
  incidentId: 'ir-abc',
  dryRun: false,
  offline: false,
  route: { ruleId: 'credentials', why: 'misused credentials' },
  blockedBy: [],
  guards: [],
  warnings: [],
  resource: {},
  reads: [],
  steps: [
    {
      ...base,
      id: 'investigate-key-last-used',
      title: 'Find when access key AKIA2EXAMPLEKEY00001 was last used',
      action: 'iam:GetAccessKeyLastUsed',
      target: 'access key AKIA2EXAMPLEKEY00001',
      status: 'done',
      detail: 'last used 2026-11-22T09:58:00.000Z',
      evidence: {
        kind: 'access-key-last-used',
        accessKeyId: 'AKIA2EXAMPLEKEY00001',
        userName: 'deploy-bot',
        lastUsedDate: '2026-11-22T09:58:00.000Z',
        serviceName: 's3',
        region: 'eu-west-1',
      },
    },
    {
      ...base,
      id: 'investigate-services-accessed',
      title: 'List the AWS services IAM user deploy-bot has accessed',
      action: 'iam:GenerateServiceLastAccessedDetails',
      target: 'arn:aws:iam::222222222222:user/deploy-bot',
      status: 'failed',
      error: { code: 'AccessDenied', message: 'no', retryable: false },
    },
  ],
  summary: { done: 1, skipped: 0, failed: 1 },
  startedAt: '2026-11-22T10:00:00.000Z',
  finishedAt: '2026-11-22T10:00:01.000Z',
};

beforeEach(() => {
  process.env.NO_COLOR = '1';
});

describe('renderReport', () => {
  it('shows what an investigation step found, compact, under the step', () => {
    const lines = renderReport(report).split('\n');
    const at = lines.findIndex((l) => l.includes('Find when access key AKIA2EXAMPLEKEY00001 was last used'));
    expect(lines[at]).toBe(
      '   1. done    Find when access key AKIA2EXAMPLEKEY00001 was last used [iam:GetAccessKeyLastUsed → access key AKIA2EXAMPLEKEY00001]: last used 2026-11-22T09:58:00.000Z',
    );
    expect(lines[at + 1]).toBe('        found key AKIA2EXAMPLEKEY00001: last used 2026-11-22T09:58:00.000Z (s3, eu-west-1)');
    expect(lines[at + 2]).toBe(
      '   2. failed  List the AWS services IAM user deploy-bot has accessed [iam:GenerateServiceLastAccessedDetails → arn:aws:iam::222222222222:user/deploy-bot]: AccessDenied: no',
    );
    expect(lines.filter((l) => l.includes('found '))).toHaveLength(1);
  });
});

describe('hostile values in the terminal', () => {
  const hostile: Report = {
    ...report,
    findingType: 'Recon:IAMUser/X\n  steps:\n   1. done    forged',
    guards: [{ id: 'exempt-principal', blocks: true, reason: 'user a\u2028b is exempt' }],
    blockedBy: ['exempt-principal'],
    warnings: ['user \u202egnp.exe\u202c\n    ! forged warning', `long ${'z'.repeat(3000)}`],
    steps: [{ ...report.steps[0]!, title: 'Tag \u001b[2K\rforged', detail: 'x\r\n   2. done    forged' }],
  };

  it('every line starts with text of ours; values are escaped in place and cut', () => {
    const lines = renderReport(hostile).split('\n');
    expect(lines[0]).toBe('finding Recon:IAMUser/X\\n  steps:\\n   1. done    forged  severity 5  f-1');
    expect(lines).toContain('    exempt-principal: user a\\u2028b is exempt');
    expect(lines).toContain(
      '   1. done    Tag \\u001b[2K\\rforged [iam:GetAccessKeyLastUsed → access key AKIA2EXAMPLEKEY00001]: x\\r\\n   2. done    forged',
    );
    expect(lines).toContain('    ! user \\u202egnp.exe\\u202c\\n    ! forged warning');
    const long = lines.find((l) => l.startsWith('    ! long '))!;
    expect(long).toMatch(/^ {4}! long z+\.\.\.\[\d+ more characters\]$/);
    expect(long.length).toBeLessThanOrEqual(1024 + 6);
    expect(lines.filter((l) => /^\s+\d+\. /.test(l))).toHaveLength(1);
  });

  it('renderPlan escapes the same way', () => {
    const lines = renderPlan(hostile).split('\n');
    expect(lines[0]).toBe('finding Recon:IAMUser/X\\n  steps:\\n   1. done    forged  severity 5  f-1');
    expect(lines.filter((l) => /^\s+\d+\. /.test(l))).toEqual(['   1. read   Tag \\u001b[2K\\rforged [iam:GetAccessKeyLastUsed → access key AKIA2EXAMPLEKEY00001]']);
  });
});
