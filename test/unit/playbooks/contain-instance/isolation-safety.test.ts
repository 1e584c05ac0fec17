import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import type { Finding } from '../../../../lambda/finding/schema';
import type { Report, StepReport } from '../../../../lambda/plan/document';
import { stepSpecsOf } from '../../../../lambda/playbooks/registry';
import { approvalSchema } from '../../../../lambda/approval/schema';
import { respond } from '../../../../lambda/respond/respond';
import { shouldFailInvocation, shouldRetryInvocation } from '../../../../lambda/runtime/retry-policy';
import { containFinding, CRYPTO_TYPE, DNS_REBIND_TYPE, enforceConfig, NOW, RESPONDER } from '../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../support/aws-mocks/contain-harness';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import {
  awsError,
  CREATED_ISOLATION_SG,
  CREATED_UNTRACK_SG,
  INSTANCE_ID,
  ISOLATION_SG_A,
  PRIMARY_ENI,
  responderGroup,
  SECONDARY_ENI,
  UNTRACK_SG_A,
  VPC_A,
} from '../../../support/aws-mocks/contain-world';

/*
 * Isolation never leaves an instance more open than it found it, through
 * respond() as the Lambda runs it (mocked AWS): a failed isolation move,
 * a failed return, an instance isolated by an earlier incident, and
 * security groups someone else tagged as the responder's.
 */

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
// The whole role: these responses notify too.
const h = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const PRIMARY_GROUPS = ['sg-0web000000000001', 'sg-0ssh000000000001'];
// The security account's detector holds each finding a test responds to: confirmed, so the playbook may act.
const guardDuty = useGuardDuty();

beforeEach(() => {
  h.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
});

function run(finding: Finding = containFinding()): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, { config: enforceConfig(), clients: h.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW });
}

function published(): PublishCommandInput {
  const calls = h.mocks.sns.commandCalls(PublishCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input;
}

function step(report: Report, id: string): StepReport {
  const found = report.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
}

function failIsolationMoves(code: string, status = 400): void {
  h.world.failures.set('ModifyNetworkInterfaceAttribute', (input) => ((input.Groups as string[])[0] === ISOLATION_SG_A ? awsError(code, `${code} (test)`, status) : undefined));
}

const moves = () => h.callsOf('ModifyNetworkInterfaceAttribute');

describe('the move to the isolation group fails', () => {
  it('every ENI goes back to exactly its original groups; each step is in the report with its code; the invocation is retried', async () => {
    failIsolationMoves('InternalError', 500);
    const report = await run();
    expect(moves()).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: ['sg-0db0000000000001'] },
    ]);
    expect([`untrack:${PRIMARY_ENI}`, `isolate:${PRIMARY_ENI}`, `restore:${PRIMARY_ENI}`].map((id) => [step(report, id).status, step(report, id).error?.code])).toEqual([
      ['done', undefined],
      ['failed', 'InternalError'],
      ['done', undefined],
    ]);
    // Back where it was found: not more exposed, only not isolated. A transient failure: Lambda runs it again.
    expect(published().Subject).toBe('[GuardDuty IR PARTIAL] contain-instance FAILED isolate: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01)');
    expect(published().Message).toContain(`  DONE    Return ${PRIMARY_ENI} to its original security groups if it could not be isolated`);
    expect(shouldFailInvocation(report)).toMatchObject({ retry: true, reason: expect.stringContaining(`isolate:${PRIMARY_ENI} (InternalError)`) });
    // The rest of the containment still ran.
    expect(step(report, 'snapshot-volumes').status).toBe('done');
  });

  it('and the return fails too: the subject says the instance is more exposed, naming the ENIs, and the invocation fails whatever the codes', async () => {
    h.world.failures.set('ModifyNetworkInterfaceAttribute', (input) =>
      (input.Groups as string[])[0] !== UNTRACK_SG_A ? awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403) : undefined,
    );
    const report = await run();
    expect(step(report, `restore:${PRIMARY_ENI}`)).toMatchObject({ status: 'failed', error: { code: 'UnauthorizedOperation', retryable: false }, exposed: PRIMARY_ENI });
    expect(step(report, `restore:${SECONDARY_ENI}`)).toMatchObject({ status: 'failed', error: { code: 'UnauthorizedOperation' }, exposed: SECONDARY_ENI });
    const { Subject, Message } = published();
    expect(Subject).toBe(`[GuardDuty IR MORE EXPOSED THAN BEFORE] ${PRIMARY_ENI} ${SECONDARY_ENI}: HIGH 8.0`);
    expect(Subject!.length).toBeLessThanOrEqual(100);
    expect(Message!.split('\n')[0]).toBe(
      `MORE EXPOSED THAN BEFORE: ${PRIMARY_ENI}, ${SECONDARY_ENI} could be neither isolated nor returned to their own security groups, and may be on the ` +
        'allow-all untrack group (all traffic from and to anywhere). The invocation fails so that it is retried; move them by hand now if it is not.',
    );
    expect(Message).toContain(`  FAILED  Return ${PRIMARY_ENI} to its original security groups if it could not be isolated [ec2:ModifyNetworkInterfaceAttribute on ${PRIMARY_ENI}] -- UnauthorizedOperation: `);
    // UnauthorizedOperation alone would never be retried: exposure is.
    expect(shouldRetryInvocation(report)).toEqual({
      retry: true,
      reason: `${PRIMARY_ENI}, ${SECONDARY_ENI} may be left on the allow-all security group (more exposed than before): a retry must close them`,
    });
    expect(shouldFailInvocation(report).retry).toBe(true);
  });

  it('the retry that follows moves the ENI left on the untrack group on to isolation, and keeps the first record of its groups', async () => {
    h.world.instance = {
      ...h.world.instance!,
      NetworkInterfaces: [{ NetworkInterfaceId: PRIMARY_ENI, VpcId: VPC_A, Attachment: { DeviceIndex: 0 }, Groups: [{ GroupId: UNTRACK_SG_A }] }],
      Tags: [{ Key: `ir:original-sgs:${PRIMARY_ENI}`, Value: PRIMARY_GROUPS.join(' ') }],
    };
    const report = await run();
    expect(moves()).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
    expect(step(report, 'record-original-sgs').status).toBe('skipped');
    expect(h.callsOf('CreateTags').some((c) => JSON.stringify(c).includes('original-sgs'))).toBe(false);
    expect(shouldFailInvocation(report).retry).toBe(false);
  });
});

describe('a blocked retry finds the ENI on the untrack group (an attempt that stopped halfway left it there)', () => {
  const EXEMPT = { Key: 'ir:exempt', Value: 'true' };
  function leftOnUntrack(tags: { Key: string; Value: string }[]): void {
    h.world.instance = {
      ...h.world.instance!,
      NetworkInterfaces: [{ NetworkInterfaceId: PRIMARY_ENI, VpcId: VPC_A, Attachment: { DeviceIndex: 0 }, Groups: [{ GroupId: UNTRACK_SG_A }] }],
      Tags: tags,
    };
  }
  function runWith(options: { dryRun?: boolean; held?: boolean; isolationApproved?: boolean } = {}): Promise<Report> {
    const finding = containFinding();
    if (options.held === false) guardDuty.holds();
    else guardDuty.holds(finding);
    // The approval policy gives the isolation to a person (this run, without the stack's approval settings, cannot wait for one).
    const approval = options.isolationApproved ? { approval: approvalSchema.parse({ rules: [{ id: 'people-isolate', class: 'isolate', mode: 'approve' }] }) } : {};
    return respond(finding, { config: enforceConfig(approval), clients: h.clients, dryRun: options.dryRun ?? false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW });
  }

  it('a guard says stop (exempt), yet it is closed on the isolation group, never left on the allow-all group nor sent to the tag’s groups; said loudly, the invocation fails', async () => {
    leftOnUntrack([EXEMPT, { Key: `ir:original-sgs:${PRIMARY_ENI}`, Value: 'sg-0attacker00000001' }]);
    const report = await runWith();
    expect(report.blockedBy).toContain('exempt-tag');
    expect(moves()).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] }]);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    expect(step(report, `isolate:${PRIMARY_ENI}`).status).toBe('skipped');
    expect(step(report, `restore:${PRIMARY_ENI}`)).toMatchObject({ status: 'failed', error: { code: 'LeftClosedOwnGroupsUnknown' } });
    const { Subject, Message } = published();
    expect(Subject).toMatch(/ISOLATED - OWN GROUPS UNKNOWN/);
    expect(Message).toMatch(/was found on the allow-all untrack group, where an earlier attempt stopped halfway, and this response, blocked, moved it to the isolation group/);
    expect(Message).toMatch(/THE PLAN WAS STOPPED: the only moves made/);
    expect(Message).not.toMatch(/moved before the checks answered|NO CHANGES WERE MADE/);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });

  it('the close fails: named more exposed, and the invocation fails so it is retried', async () => {
    leftOnUntrack([EXEMPT]);
    h.world.failures.set('ModifyNetworkInterfaceAttribute', () => awsError('InternalError', 'x', 500));
    const report = await runWith();
    expect(step(report, `restore:${PRIMARY_ENI}`)).toMatchObject({ status: 'failed', exposed: PRIMARY_ENI });
    expect(published().Subject).toMatch(/MORE EXPOSED THAN BEFORE/);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });

  it('a delivery GuardDuty does not confirm (a forged copy racing the genuine one’s swap) never moves it, and the subject says it is still there', async () => {
    leftOnUntrack([]);
    const report = await runWith({ held: false });
    expect(report.blockedBy).toContain('finding-confirmation');
    expect(moves()).toEqual([]);
    expect(step(report, `restore:${PRIMARY_ENI}`)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('this delivery does not move it (finding-confirmation)') });
    expect(published().Subject).toMatch(/ON THE ALLOW-ALL GROUP - NOT CHANGED/);
    expect(published().Message).toMatch(/ON THE ALLOW-ALL GROUP: eni-/);
  });

  it('the isolation waits for a person’s decision: the ENI is closed on the isolation group meanwhile, never left on the allow-all group for the wait, nor sent to the tag’s groups', async () => {
    leftOnUntrack([{ Key: `ir:original-sgs:${PRIMARY_ENI}`, Value: 'sg-0attacker00000001' }]);
    const report = await runWith({ isolationApproved: true });
    expect(report.blockedBy).toEqual([]);
    expect(step(report, `isolate:${PRIMARY_ENI}`)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^awaits approval \(rule people-isolate\)/) });
    expect(moves()).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] }]);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    const restore = step(report, `restore:${PRIMARY_ENI}`);
    expect(restore).toMatchObject({ status: 'failed', error: { code: 'LeftClosedOwnGroupsUnknown' } });
    expect(restore.error?.message).toContain('this response is blocked (awaits approval)');
    expect(published().Subject).toMatch(/ISOLATED - OWN GROUPS UNKNOWN/);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });

  it('a dry-run changes nothing and the subject says it is on the allow-all group', async () => {
    leftOnUntrack([]);
    const report = await runWith({ dryRun: true });
    expect(moves()).toEqual([]);
    expect(step(report, `restore:${PRIMARY_ENI}`)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^dry-run: .*allow-all untrack group/) });
    expect(published().Subject).toMatch(/ON THE ALLOW-ALL GROUP - NOT CHANGED/);
  });
});

describe('an instance an earlier incident isolated', () => {
  beforeEach(() => {
    h.world.instance = {
      ...h.world.instance!,
      NetworkInterfaces: h.world.instance!.NetworkInterfaces!.map((eni) => ({ ...eni, Groups: [{ GroupId: ISOLATION_SG_A }] })),
      Tags: [
        { Key: `ir:original-sgs:${PRIMARY_ENI}`, Value: PRIMARY_GROUPS.join(' ') },
        { Key: `ir:original-sgs:${SECONDARY_ENI}`, Value: 'sg-0db0000000000001' },
        { Key: 'ir:incident-id', Value: 'ir-0earlier00000001' },
        { Key: 'ir:finding-type', Value: CRYPTO_TYPE },
      ],
    };
  });

  it('a second finding of another type (another incident) never moves its ENIs, not through the untrack group, not at all', async () => {
    const report = await run(containFinding({ type: DNS_REBIND_TYPE }));
    expect(report.incidentId).not.toBe('ir-0earlier00000001');
    expect(moves()).toEqual([]);
    for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) {
      expect(step(report, `untrack:${eni}`)).toMatchObject({ status: 'skipped', reason: `${eni} is already on the isolation security group only (${ISOLATION_SG_A}, no rules; an earlier response isolated it)` });
      expect(step(report, `isolate:${eni}`).status).toBe('skipped');
      expect(step(report, `restore:${eni}`).status).toBe('skipped');
    }
    // The rest of this incident's response still runs (its own credentials step, tags, snapshots).
    expect(step(report, 'revoke-role-sessions').status).toBe('done');
  });

  it('never overwrites the recorded original groups: `ir release` still restores the true originals', async () => {
    await run(containFinding({ type: DNS_REBIND_TYPE }));
    const written = h.callsOf('CreateTags').flatMap((c) => (c.Tags as { Key: string; Value: string }[]).map((t) => t.Key));
    expect(written.filter((k) => k.startsWith('ir:original-sgs:'))).toEqual([]);
  });

  it('without a record, the isolation group it is on is never recorded as its original group', async () => {
    h.world.instance = { ...h.world.instance!, Tags: [] };
    const report = await run(containFinding({ type: DNS_REBIND_TYPE }));
    expect(h.callsOf('CreateTags').some((c) => JSON.stringify(c).includes('original-sgs'))).toBe(false);
    expect(step(report, 'record-original-sgs')).toMatchObject({ status: 'skipped' });
    expect(moves()).toEqual([]);
  });
});

describe('security groups someone else tagged as the responder\'s', () => {
  it('a production group tagged as the untrack group is left untouched and not used; a fresh group is made and the report says why', async () => {
    const production = {
      ...responderGroup('sg-0prod00000000001', VPC_A, 'untrack'),
      GroupName: 'web-prod',
      Description: 'web tier',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    };
    h.world.responderGroups = [production, responderGroup(ISOLATION_SG_A, VPC_A, 'isolation')];
    const report = await run();
    const ruleCalls = ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupEgress', 'RevokeSecurityGroupIngress'];
    expect(ruleCalls.flatMap((a) => h.callsOf(a)).map((c) => c.GroupId)).toEqual([CREATED_UNTRACK_SG, CREATED_UNTRACK_SG]);
    expect(JSON.stringify(h.calls().filter((c) => c.service === 'ec2' && !/^Describe/.test(c.action)))).not.toContain('sg-0prod00000000001');
    expect(moves().map((m) => (m.Groups as string[])[0])).toEqual([CREATED_UNTRACK_SG, CREATED_UNTRACK_SG, ISOLATION_SG_A, ISOLATION_SG_A]);
    expect(report.warnings).toContainEqual(expect.stringMatching(/^Security group sg-0prod00000000001 in vpc-0aaaa000000000001 carries the responder's tags \(ir:purpose=untrack\) but is not what the responder creates: /));
    expect(step(report, `create-untrack-sg:${VPC_A}`)).toMatchObject({ status: 'done', why: expect.stringContaining('(sg-0prod00000000001) failed verification and is left untouched') });
    expect(published().Message).toContain('sg-0prod00000000001');
  });

  it('an ENI on a production group someone tagged goes back to it if isolation fails, and it is recorded as the original it is', async () => {
    // The web tier group of the primary ENI, tagged as the responder's untrack group (its own name and rules kept).
    const web = { ...responderGroup('sg-0web000000000001', VPC_A, 'untrack'), GroupName: 'web', Description: 'web tier', IpPermissions: [] };
    h.world.responderGroups = [...h.world.responderGroups, web];
    failIsolationMoves('InternalError', 500);
    const report = await run();
    expect(moves().filter((m) => m.NetworkInterfaceId === PRIMARY_ENI).at(-1)).toEqual({ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS });
    expect(step(report, `restore:${PRIMARY_ENI}`).status).toBe('done');
    expect(h.callsOf('CreateTags')[0]).toEqual({
      Resources: [INSTANCE_ID],
      Tags: [
        { Key: `ir:original-sgs:${PRIMARY_ENI}`, Value: PRIMARY_GROUPS.join(' ') },
        { Key: `ir:original-sgs:${SECONDARY_ENI}`, Value: 'sg-0db0000000000001' },
      ],
    });
  });

  it('a tagged isolation group with an ingress rule is not used: a fresh one is created, stripped and used, and the report says why', async () => {
    const open = { ...responderGroup(ISOLATION_SG_A, VPC_A, 'isolation'), IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] };
    h.world.responderGroups = [responderGroup(UNTRACK_SG_A, VPC_A, 'untrack'), open];
    const report = await run();
    expect(h.callsOf('CreateSecurityGroup').map((c) => [c.VpcId, c.Description])).toEqual([[VPC_A, 'GuardDuty IR: no rules; isolates an instance']]);
    expect(h.callsOf('RevokeSecurityGroupEgress')).toEqual([{ GroupId: CREATED_ISOLATION_SG, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
    expect(h.callsOf('RevokeSecurityGroupIngress')).toEqual([]);
    expect(moves().map((m) => (m.Groups as string[])[0])).toEqual([UNTRACK_SG_A, UNTRACK_SG_A, CREATED_ISOLATION_SG, CREATED_ISOLATION_SG]);
    expect(report.warnings).toContainEqual(
      expect.stringContaining(`Security group ${ISOLATION_SG_A} in ${VPC_A} carries the responder's tags (ir:purpose=isolation) but is not what the responder creates: it has ingress rules (tcp 22-22 ipv4:0.0.0.0/0).`),
    );
    expect(report.summary.failed).toBe(0);
    expect(step(report, `create-isolation-sg:${VPC_A}`).target).toBe(VPC_A);
  });
});

describe('too little time left for the allow-all group', () => {
  // As the Lambda runs it: the deadline is the invocation's, 10 s before its timeout. Under 36 s left, an ENI never passes through the allow-all group.
  it('every ENI goes straight to the isolation group, the report says why and that tracked flows are not cut, and nothing fails', async () => {
    jest.useFakeTimers({ now: NOW.getTime(), doNotFake: ['setImmediate', 'nextTick'] });
    try {
      guardDuty.holds(containFinding());
      const report = await respond(containFinding(), {
        config: enforceConfig(),
        clients: h.clients,
        dryRun: false,
        topicArn: TOPIC,
        responder: RESPONDER,
        now: () => NOW,
        deadlineMs: Date.now() + 20_000,
      });
      expect(moves()).toEqual([
        { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
        { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] },
      ]);
      for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) {
        expect(step(report, `untrack:${eni}`)).toMatchObject({
          status: 'skipped',
          reason: expect.stringMatching(new RegExp(`^only \\d+(\\.\\d)? s left before the deadline, .*: ${eni} goes straight to the isolation group, so its tracked connections \\(an established session\\) are NOT cut$`)),
        });
        expect(step(report, `isolate:${eni}`).status).toBe('done');
      }
      expect(report.steps.filter((s) => s.status === 'failed')).toEqual([]);
      expect(shouldFailInvocation(report).retry).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});
