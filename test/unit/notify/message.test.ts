import { formatNotification, MESSAGE_LIMIT_BYTES, WARNINGS_SHOWN } from '../../../lambda/notify/message';
import type { PlanDocument } from '../../../lambda/plan/document';
import type { StepOutcome } from '../../../lambda/plan/types';

const doc: PlanDocument = {
  playbook: 'contain-instance',
  findingId: 'f-1',
  findingType: 'CryptoCurrency:EC2/BitcoinTool.B',
  severity: 8,
  accountId: '222222222222',
  region: 'us-east-1',
  incidentId: 'ir-abc',
  dryRun: false,
  offline: false,
  route: { ruleId: 'instance-compromised', why: 'compromised' },
  blockedBy: [],
  guards: [],
  warnings: ['ICMP stays tracked'],
  resource: {},
  reads: [],
  steps: [],
};

const outcomes: StepOutcome[] = [
  { id: 'a', title: 'Move eni-1 to the isolation group', action: 'ec2:ModifyNetworkInterfaceAttribute', target: 'eni-1', mutating: true, status: 'done', detail: 'sg-9', durationMs: 3 },
  { id: 'b', title: 'Snapshot volumes', action: 'ec2:CreateSnapshots', target: 'i-1', mutating: true, status: 'failed', error: { code: 'AccessDenied', message: 'nope', retryable: false }, durationMs: 3 },
  { id: 'c', title: 'Detach from ASG', action: 'autoscaling:DetachInstances', target: 'i-1', mutating: true, status: 'skipped', reason: 'not in a group', durationMs: 0 },
];

describe('formatNotification', () => {
  it('says what was done, what failed with the AWS code, and what was skipped and why', () => {
    const { subject, message } = formatNotification(doc, outcomes);
    // The step that could not be made is named before the finding.
    expect(subject).toBe('[GuardDuty IR PARTIAL] contain-instance FAILED b: HIGH 8.0 222222222222/us-east-1 CryptoCurrency...');
    expect(message).toContain('  Account: 222222222222, region us-east-1');
    expect(message).toContain('  DONE    Move eni-1 to the isolation group [ec2:ModifyNetworkInterfaceAttribute on eni-1] -- sg-9');
    expect(message).toContain('  FAILED  Snapshot volumes [ec2:CreateSnapshots on i-1] -- AccessDenied: nope');
    expect(message).toContain('  SKIPPED Detach from ASG [autoscaling:DetachInstances on i-1] -- not in a group');
    expect(message).toContain('  - ICMP stays tracked');
  });

  it('leads with NO CHANGES when guards blocked the plan', () => {
    const blocked = { ...doc, blockedBy: ['dry-run'], guards: [{ id: 'dry-run', blocks: true, reason: 'the stack runs in dry-run mode' }] };
    const { subject, message } = formatNotification(blocked, []);
    expect(subject).toMatch(/^\[GuardDuty IR PLAN ONLY\]/);
    expect(message).toContain('NO CHANGES WERE MADE');
    expect(message).toContain('  - dry-run: the stack runs in dry-run mode');
  });

  it('keeps the subject within the SNS limit of 100 ASCII characters', () => {
    const { subject } = formatNotification({ ...doc, findingType: `Backdoor:EC2/${'x'.repeat(200)}é` }, []);
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('formatNotification: exemptions and hostile values', () => {
  it('names an exemption by tag in the subject and on the first line', () => {
    const reason = 'the resource carries the exempt tag "ir:exempt" (value "honeypot")';
    const exempt = { ...doc, blockedBy: ['exempt-tag'], guards: [{ id: 'exempt-tag', blocks: true, reason }] };
    const { subject, message } = formatNotification(exempt, []);
    expect(subject).toBe('[GuardDuty IR EXEMPT - NOT CONTAINED] contain-instance: HIGH 8.0 222222222222/us-east-1');
    expect(message.split('\n').slice(0, 2)).toEqual([
      `EXEMPT: this contain-instance response was planned but NOT executed. ${reason}`,
      'Summary: CryptoCurrency:EC2/BitcoinTool.B in 222222222222/us-east-1 not changed (exempt-tag): 0 done, 0 failed',
    ]);
    expect(message).toContain(`  - exempt-tag: ${reason}`);
  });

  it('names an exemption by configuration (credentials.exemptPrincipals) the same way', () => {
    const reason = 'IAM user honeypot is exempt (credentials.exemptPrincipals: arn:aws:iam::*:user/honeypot): the responder does not act on it';
    const exempt: PlanDocument = {
      ...doc,
      playbook: 'revoke-credentials',
      findingType: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      blockedBy: ['exempt-principal', 'dry-run'],
      guards: [
        { id: 'exempt-principal', blocks: true, reason },
        { id: 'dry-run', blocks: true, reason: 'the stack runs in dry-run mode' },
      ],
    };
    const { subject, message } = formatNotification(exempt, []);
    // Cut to SNS's limit, the finding type first: the outcome and the severity always survive.
    expect(subject).toBe('[GuardDuty IR EXEMPT - NOT CONTAINED] revoke-credentials: HIGH 8.0 222222222222/us-east-1');
    expect(message.startsWith(`EXEMPT: this revoke-credentials response was planned but NOT executed. ${reason}\n`)).toBe(true);
  });

  it('a blocked plan that is not exempt stays PLAN ONLY', () => {
    const blocked = { ...doc, blockedBy: ['dry-run'], guards: [{ id: 'exempt-tag', blocks: false, reason: 'no tag' }, { id: 'dry-run', blocks: true, reason: 'dry-run' }] };
    expect(formatNotification(blocked, []).subject).toMatch(/^\[GuardDuty IR PLAN ONLY\]/);
    expect(formatNotification(blocked, []).message.startsWith('Summary: ')).toBe(true);
  });

  it('escapes a value that tries to start a line or forge a step, and bounds it', () => {
    const forged: PlanDocument = {
      ...doc,
      findingType: 'Backdoor:EC2/X\n[GuardDuty IR DONE] all clear',
      warnings: ['tag value a\n  DONE    Terminate every instance [ec2:TerminateInstances on *]\u2028more'],
    };
    const hostileStep: StepOutcome = { ...outcomes[0]!, title: 'Tag i-1 with "x\r\n  DONE    forged"', detail: `\u202e${'y'.repeat(2000)}` };
    const { subject, message } = formatNotification(forged, [hostileStep]);
    expect(subject).toBe('[GuardDuty IR DONE] contain-instance: HIGH 8.0 222222222222/us-east-1 Backdoor:EC2/X\\n[GuardDuty...');
    const lines = message.split('\n');
    expect(lines).toContain('  Type: Backdoor:EC2/X\\n[GuardDuty IR DONE] all clear, severity HIGH 8.0');
    expect(lines).toContain('  - tag value a\\n  DONE    Terminate every instance [ec2:TerminateInstances on *]\\u2028more');
    const step = lines.find((l) => l.startsWith('  DONE    Tag i-1'))!;
    expect(step).toMatch(/^ {2}DONE {4}Tag i-1 with "x\\r\\n {2}DONE {4}forged" \[ec2:ModifyNetworkInterfaceAttribute on eni-1\] -- \\u202ey+\.\.\.\[\d+ more characters\]$/);
    expect(lines.filter((l) => l.startsWith('  DONE'))).toEqual([step]);
  });
});

describe('formatNotification with investigation evidence', () => {
  const found: StepOutcome = {
    id: 'investigate-key-events',
    title: 'Look up the CloudTrail events made with access key AKIA2EXAMPLEKEY00001 in the last 24 hours',
    action: 'cloudtrail:LookupEvents',
    target: 'access key AKIA2EXAMPLEKEY00001 (CloudTrail of us-east-1)',
    mutating: false,
    status: 'done',
    detail: 'partial: 500 events read',
    evidence: {
      kind: 'cloudtrail-events',
      accessKeyId: 'AKIA2EXAMPLEKEY00001',
      region: 'us-east-1',
      startTime: '2026-11-21T10:00:07.000Z',
      endTime: '2026-11-22T10:00:07.000Z',
      eventsRead: 500,
      pagesRead: 10,
      complete: false,
      stoppedBy: 'page-cap',
      stopError: null,
      firstEventTime: '2026-11-22T01:00:00.000Z',
      lastEventTime: '2026-11-22T09:58:00.000Z',
      eventNames: [{ value: 'GetObject', count: 500 }],
      moreEventNames: 0,
      sourceIps: [{ value: '198.51.100.7', count: 500 }],
      moreSourceIps: 0,
      eventsWithError: 0,
    },
    durationMs: 900,
  };

  it('adds an Investigation section after the steps, before the warnings', () => {
    const { message } = formatNotification(doc, [...outcomes, found]);
    const lines = message.split('\n');
    const at = lines.indexOf('Investigation (read-only, what the steps above found):');
    expect(at).toBeGreaterThan(lines.indexOf('Steps (in plan order):'));
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '  CloudTrail management events made with key AKIA2EXAMPLEKEY00001 in us-east-1, 2026-11-21T10:00:07.000Z to 2026-11-22T10:00:07.000Z: 500 (partial: 500 events read (stopped at the cap of 10 pages))',
      '    by name: GetObject 500',
      '    first 2026-11-22T01:00:00.000Z, last 2026-11-22T09:58:00.000Z',
    ]);
    expect(lines.indexOf('Warnings:')).toBeGreaterThan(at);
  });

  it('has no Investigation section when no step found anything', () => {
    expect(formatNotification(doc, outcomes).message).not.toContain('Investigation');
  });
});

describe('formatNotification when an ENI is left more exposed than before', () => {
  const exposed: StepOutcome[] = [
    {
      id: 'restore:eni-0primary00000001',
      title: 'Return eni-0primary00000001 to its original security groups if it could not be isolated',
      action: 'ec2:ModifyNetworkInterfaceAttribute',
      target: 'eni-0primary00000001',
      mutating: true,
      status: 'failed',
      error: { code: 'UnauthorizedOperation', message: 'no', retryable: false },
      exposed: 'eni-0primary00000001',
      durationMs: 3,
    },
    { ...outcomes[1]!, exposed: 'never-shown-unless-failed', status: 'done' },
  ];

  it('says so first in the subject, naming the ENI, and first in the message', () => {
    const { subject, message } = formatNotification(doc, exposed);
    expect(subject).toBe('[GuardDuty IR MORE EXPOSED THAN BEFORE] eni-0primary00000001 left open: HIGH 8.0 contain-instance');
    expect(message.split('\n')[0]).toBe(
      'MORE EXPOSED THAN BEFORE: eni-0primary00000001 could be neither isolated nor returned to their own security groups, and may be on the ' +
        'allow-all untrack group (all traffic from and to anywhere). The invocation fails so that it is retried; move them by hand now if it is not.',
    );
    expect(message).not.toContain('never-shown-unless-failed');
  });
});

describe('formatNotification stays within what SNS accepts, whatever the attacker made it say', () => {
  it('shows at most WARNINGS_SHOWN warnings and says how many more there are', () => {
    const warnings = Array.from({ length: 650 }, (_, i) => `Security group sg-${String(i).padStart(17, '0')} in vpc-1 is tagged as the responder's isolation group but has ingress rules: not used.`);
    const { message } = formatNotification({ ...doc, warnings }, outcomes);
    const lines = message.split('\n');
    const shown = lines.filter((line) => line.startsWith('  - Security group sg-'));
    expect(shown).toHaveLength(WARNINGS_SHOWN);
    expect(shown[0]).toContain('sg-00000000000000000');
    expect(lines).toContain(`  - and ${650 - WARNINGS_SHOWN} more warnings: see the report (evidence bucket, incident ledger)`);
  });

  it('cuts the message at MESSAGE_LIMIT_BYTES and says so on its last line', () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ ...outcomes[0]!, id: `s${i}`, title: `Move eni-${i} ${'x'.repeat(900)}` }));
    const { message } = formatNotification(doc, many);
    expect(Buffer.byteLength(message, 'utf8')).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES + 200);
    const last = message.split('\n').at(-1)!;
    expect(last).toMatch(/^CUT: \d+ more lines are left out to keep the message within SNS's size limit/);
    expect(message.startsWith('Summary: CryptoCurrency:EC2/BitcoinTool.B in 222222222222/us-east-1')).toBe(true);
  });
});
