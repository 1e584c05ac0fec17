import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import type { Finding } from '../../../../lambda/finding/schema';
import type { Report, StepReport } from '../../../../lambda/plan/document';
import { REVOKE_POLICY_NAME, revokeOlderSessionsPolicy } from '../../../../lambda/iam/revoke-sessions';
import { respond } from '../../../../lambda/respond/respond';
import { containFinding, CRYPTO_TYPE, DNS_REBIND_TYPE, enforceConfig, FINDING_ID, NOW, RESPONDER } from '../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../support/aws-mocks/contain-harness';
import {
  ASSOCIATION_ID,
  awsError,
  CREATED_ISOLATION_SG,
  CREATED_UNTRACK_SG,
  INSTANCE_ID,
  isReadOnlyAction,
  ISOLATION_SG_A,
  PRIMARY_ENI,
  responderGroup,
  ROLE_NAME,
  SECONDARY_ENI,
  UNTRACK_SG_A,
  VPC_A,
  VPC_B,
} from '../../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';

/*
 * The whole path, finding → report, through respond() on the real SDK
 * clients (mocked at the client class). The mocks answer like a small
 * account; see test/support/aws-mocks/contain-world.ts.
 */

const h = useContainHarness();
// The security account's detector holds each finding a test responds to: confirmed, so the playbook may act.
const guardDuty = useGuardDuty();
const INCIDENT_ID = 'ir-49192bec9e8621f0';

function run(finding: Finding = containFinding(), options: { dryRun?: boolean; config?: RuntimeConfig } = {}): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, {
    config: options.config ?? enforceConfig(),
    clients: h.clients,
    dryRun: options.dryRun ?? false,
    responder: RESPONDER,
    now: () => NOW,
  });
}

function step(report: Report, id: string): StepReport {
  const found = report.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(', ')}`);
  return found;
}

function mutatingActions(): string[] {
  return h.calls().filter((c) => !isReadOnlyAction(c.action)).map((c) => c.action);
}

describe('contain-instance through respond(), enforce', () => {
  it('isolates every ENI, preserves, snapshots and tags, in stage order, with the exact parameters', async () => {
    const report = await run();

    expect(report.playbook).toBe('contain-instance');
    expect(report.blockedBy).toEqual([]);
    expect(report.steps.map((s) => [s.id, s.stage, s.status])).toEqual([
      // No ledger here (as with ir respond): the record steps say so and let the changes go on (test/unit/ledger/restore-record-steps.test.ts has one).
      ['record-restore:network', 0, 'done'],
      ['record-original-sgs', 3, 'done'],
      [`untrack:${PRIMARY_ENI}`, 3, 'done'],
      [`untrack:${SECONDARY_ENI}`, 3, 'done'],
      [`isolate:${PRIMARY_ENI}`, 4, 'done'],
      [`isolate:${SECONDARY_ENI}`, 4, 'done'],
      // Isolated: nothing to restore.
      [`restore:${PRIMARY_ENI}`, 5, 'skipped'],
      [`restore:${SECONDARY_ENI}`, 5, 'skipped'],
      ['record-restore:containment', 5.5, 'done'],
      ['termination-protection', 6, 'done'],
      ['shutdown-behavior-stop', 6, 'done'],
      ['keep-volumes', 6, 'done'],
      ['snapshot-volumes', 6, 'done'],
      ['tag-instance', 6, 'done'],
      ['securityhub:note', 7, 'skipped'],
      ['notify', 8, 'skipped'],
      ['evidence', 8, 'skipped'],
    ]);
    expect(step(report, `restore:${PRIMARY_ENI}`).reason).toBe(`${PRIMARY_ENI} is on the isolation group`);
    expect(report.summary).toEqual({ done: 12, skipped: 5, failed: 0 });
    // On by default; this fixture carries no ARN, so the note says why it was not sent (its call: test/unit/close-loop/).
    expect(step(report, 'securityhub:note')).toMatchObject({ status: 'skipped', reason: 'the finding carries no ARN: its Security Hub counterpart cannot be named' });

    // Untrack both ENIs, then isolate both: the order the calls were sent in.
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
    expect(h.callsOf('CreateTags')).toEqual([
      {
        Resources: [INSTANCE_ID],
        Tags: [
          { Key: `ir:original-sgs:${PRIMARY_ENI}`, Value: 'sg-0web000000000001 sg-0ssh000000000001' },
          { Key: `ir:original-sgs:${SECONDARY_ENI}`, Value: 'sg-0db0000000000001' },
        ],
      },
      {
        Resources: [INSTANCE_ID],
        Tags: [
          { Key: 'ir:incident-id', Value: INCIDENT_ID },
          { Key: 'ir:finding-id', Value: FINDING_ID },
          { Key: 'ir:finding-type', Value: CRYPTO_TYPE },
          { Key: 'ir:severity', Value: '8' },
          { Key: 'ir:isolated-at', Value: '2026-11-22T08:00:00.000Z' },
        ],
      },
    ]);
    expect(h.callsOf('ModifyInstanceAttribute')).toEqual([
      { InstanceId: INSTANCE_ID, DisableApiTermination: { Value: true } },
      { InstanceId: INSTANCE_ID, Attribute: 'instanceInitiatedShutdownBehavior', Value: 'stop' },
      {
        InstanceId: INSTANCE_ID,
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } },
          { DeviceName: '/dev/sdf', Ebs: { DeleteOnTermination: false } },
        ],
      },
    ]);
    expect(h.callsOf('CreateSnapshots')).toEqual([
      {
        InstanceSpecification: { InstanceId: INSTANCE_ID, ExcludeBootVolume: false },
        Description: `GuardDuty IR ${INCIDENT_ID}: evidence of ${INSTANCE_ID}`,
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: [
              { Key: 'ir:finding-id', Value: FINDING_ID },
              { Key: 'ir:finding-type', Value: CRYPTO_TYPE },
              { Key: 'ir:incident-id', Value: INCIDENT_ID },
              { Key: 'ir:source-instance', Value: INSTANCE_ID },
            ],
          },
        ],
      },
    ]);
    expect(step(report, 'snapshot-volumes').detail).toBe('snap-0root0000000001, snap-0data0000000001');
    // The report's parameters are what was sent.
    expect(step(report, `isolate:${SECONDARY_ENI}`).parameters).toEqual(h.callsOf('ModifyNetworkInterfaceAttribute')[3]);
    // No credential theft: the role and the profile are left alone; no security group is created.
    expect(mutatingActions()).not.toEqual(expect.arrayContaining(['PutRolePolicy']));
    expect(h.callsOf('DisassociateIamInstanceProfile')).toEqual([]);
    expect(h.callsOf('CreateSecurityGroup')).toEqual([]);
  });

  it('says which flows the swap does not cut, and reports the instance as read', async () => {
    const report = await run();
    expect(report.warnings).toEqual([expect.stringMatching(/ICMP.*NAT gateway.*Network Load Balancer.*Gateway Load Balancer.*Transit Gateway.*Global Accelerator.*Network Firewall/)]);
    expect(report.resource).toMatchObject({
      instanceId: INSTANCE_ID,
      state: 'running',
      networkInterfaces: [
        { networkInterfaceId: PRIMARY_ENI, securityGroupIds: ['sg-0web000000000001', 'sg-0ssh000000000001'] },
        { networkInterfaceId: SECONDARY_ENI, securityGroupIds: ['sg-0db0000000000001'] },
      ],
      instanceProfile: { role: { roleName: ROLE_NAME }, associationId: ASSOCIATION_ID },
      autoScalingGroup: null,
      targetGroups: [],
      evidenceSnapshots: [],
    });
    expect(report.reads.every((r) => r.status === 'done' && !r.mutating)).toBe(true);
  });

  it('cuts the instance credentials when the finding implies credential theft', async () => {
    const report = await run(containFinding({ type: DNS_REBIND_TYPE }));
    expect(step(report, 'revoke-role-sessions')).toMatchObject({ status: 'done', stage: 6, target: ROLE_NAME });
    expect(step(report, 'disassociate-instance-profile')).toMatchObject({ status: 'done', stage: 6 });
    expect(h.callsOf('PutRolePolicy')).toEqual([
      { RoleName: ROLE_NAME, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokeOlderSessionsPolicy(NOW) },
    ]);
    expect(h.callsOf('DisassociateIamInstanceProfile')).toEqual([{ AssociationId: ASSOCIATION_ID }]);
  });

  it('cuts them for any finding when revokeInstanceCredentials is "always", and never when it is "never"', async () => {
    await run(containFinding({ type: CRYPTO_TYPE }), { config: enforceConfig({ revokeInstanceCredentials: 'always' }) });
    expect(h.callsOf('PutRolePolicy')).toHaveLength(1);

    for (const stub of Object.values(h.mocks)) stub.resetHistory();
    const report = await run(containFinding({ type: DNS_REBIND_TYPE }), { config: enforceConfig({ revokeInstanceCredentials: 'never' }) });
    expect(h.callsOf('PutRolePolicy')).toEqual([]);
    expect(h.callsOf('DisassociateIamInstanceProfile')).toEqual([]);
    expect(report.warnings).toContain(
      `Instance credentials are not cut: revokeInstanceCredentials is "never", although ${DNS_REBIND_TYPE} implies credential theft.`,
    );
  });

  it('detaches from the Auto Scaling group and deregisters from every target group the instance is in', async () => {
    h.world.autoScaling = [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'web-asg', LifecycleState: 'InService' } as never];
    h.world.targetGroups = [
      { group: { TargetGroupArn: 'arn:tg/web', TargetGroupName: 'web', TargetType: 'instance' }, targets: [{ Id: INSTANCE_ID, Port: 80 }, { Id: INSTANCE_ID, Port: 8080 }, { Id: 'i-other', Port: 80 }] },
      { group: { TargetGroupArn: 'arn:tg/api', TargetGroupName: 'api', TargetType: 'instance' }, targets: [{ Id: INSTANCE_ID, Port: 443 }] },
      { group: { TargetGroupArn: 'arn:tg/other', TargetGroupName: 'other', TargetType: 'instance' }, targets: [{ Id: 'i-other', Port: 80 }] },
      { group: { TargetGroupArn: 'arn:tg/ip', TargetGroupName: 'by-ip', TargetType: 'ip' }, targets: [{ Id: '10.0.1.25', Port: 80 }] },
    ];
    const report = await run();
    expect(h.callsOf('DetachInstances')).toEqual([{ InstanceIds: [INSTANCE_ID], AutoScalingGroupName: 'web-asg', ShouldDecrementDesiredCapacity: false }]);
    expect(h.callsOf('DeregisterTargets')).toEqual([
      { TargetGroupArn: 'arn:tg/web', Targets: [{ Id: INSTANCE_ID, Port: 80 }, { Id: INSTANCE_ID, Port: 8080 }] },
      { TargetGroupArn: 'arn:tg/api', Targets: [{ Id: INSTANCE_ID, Port: 443 }] },
    ]);
    // ip-type groups cannot name the instance: their targets are not even read.
    expect(h.callsOf('DescribeTargetHealth')).toEqual([{ TargetGroupArn: 'arn:tg/web' }, { TargetGroupArn: 'arn:tg/api' }, { TargetGroupArn: 'arn:tg/other' }]);
    expect(step(report, 'detach-from-auto-scaling-group')).toMatchObject({ status: 'done', stage: 6, detail: 'activity act-1' });
    expect(step(report, 'deregister:arn:tg/web')).toMatchObject({ status: 'done', stage: 6, detail: 'ports 80, 8080' });
  });

  it('isolates ENIs in two VPCs, each with the groups of its own VPC, creating those that are missing', async () => {
    h.world.instance = {
      ...h.world.instance!,
      NetworkInterfaces: [
        { NetworkInterfaceId: PRIMARY_ENI, VpcId: VPC_A, Attachment: { DeviceIndex: 0 }, Groups: [{ GroupId: 'sg-0web000000000001' }] },
        { NetworkInterfaceId: SECONDARY_ENI, VpcId: VPC_B, Attachment: { DeviceIndex: 1 }, Groups: [{ GroupId: 'sg-0other00000000001' }] },
      ],
    };
    const report = await run();
    expect(report.summary.failed).toBe(0);
    expect(h.callsOf('CreateSecurityGroup').map((c) => [c.GroupName, c.VpcId])).toEqual([
      [expect.stringMatching(/^guardduty-ir-untrack-[0-9a-f]{8}$/), VPC_B],
      [expect.stringMatching(/^guardduty-ir-isolation-[0-9a-f]{8}$/), VPC_B],
    ]);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [CREATED_UNTRACK_SG] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [CREATED_ISOLATION_SG] },
    ]);
  });

  it('never revokes the sessions of a service-linked role, and still removes the profile', async () => {
    h.world.role = { ...h.world.role!, RoleName: 'AWSServiceRoleForX', Path: '/aws-service-role/x.amazonaws.com/' };
    const report = await run(containFinding({ type: DNS_REBIND_TYPE }));
    expect(h.callsOf('PutRolePolicy')).toEqual([]);
    expect(h.callsOf('DisassociateIamInstanceProfile')).toEqual([{ AssociationId: ASSOCIATION_ID }]);
    expect(report.warnings).toContain(
      "The sessions of the instance's role are not revoked: role AWSServiceRoleForX is service-linked (path /aws-service-role/x.amazonaws.com/): " +
        'it belongs to an AWS service and is never changed. Instead, by hand: find in CloudTrail what used its credentials and contain that resource.',
    );
  });

  it('warns in the report when the role is shared with other running instances', async () => {
    h.world.profileSharers = ['i-0other000000000001'];
    const report = await run(containFinding({ type: DNS_REBIND_TYPE }));
    expect(report.warnings).toContain(
      `Role ${ROLE_NAME} is shared: i-0other000000000001 use the same instance profile and lose their current sessions too (they get new credentials when theirs refresh).`,
    );
    expect(step(report, 'revoke-role-sessions').status).toBe('done');
  });

  it('plans no Auto Scaling or target-group step when the instance is in none', async () => {
    const report = await run();
    expect(report.steps.some((s) => s.id.startsWith('detach') || s.id.startsWith('deregister'))).toBe(false);
    expect(h.callsOf('DetachInstances')).toEqual([]);
    expect(h.callsOf('DeregisterTargets')).toEqual([]);
  });
});

describe('contain-instance through respond(), dry-run', () => {
  it('sends only Describe/Get calls and reports every mutating step as blocked', async () => {
    h.world.autoScaling = [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'web-asg', LifecycleState: 'InService' } as never];
    h.world.responderGroups = [];
    const report = await run(containFinding({ type: DNS_REBIND_TYPE }), { dryRun: true });

    expect(h.calls().length).toBeGreaterThan(0);
    expect(h.calls().filter((c) => !isReadOnlyAction(c.action))).toEqual([]);
    expect(report.blockedBy).toEqual(['dry-run']);
    const mutating = report.steps.filter((s) => s.mutating);
    expect(mutating.length).toBeGreaterThan(10);
    expect(mutating.every((s) => s.status === 'skipped' && s.reason === 'blocked by dry-run')).toBe(true);
    // The plan is the same as in enforce: the created groups show as outputs of their steps.
    expect(step(report, `untrack:${PRIMARY_ENI}`).parameters).toEqual({
      NetworkInterfaceId: PRIMARY_ENI,
      Groups: ['<output of create-untrack-sg:vpc-0aaaa000000000001>'],
    });
  });

  it('is a dry-run too when the stack runs in dry-run mode and the caller asks for one', async () => {
    await run(containFinding(), { dryRun: true, config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'dry-run' } });
    expect(mutatingActions()).toEqual([]);
  });
});

describe('contain-instance: nothing to contain', () => {
  it.each([
    ['InvalidInstanceID.NotFound', 'instance-not-found'],
    ['InvalidInstanceID.Malformed', 'instance-not-found'],
  ])('DescribeInstances answering %s: no mutating call, verdict %s', async (code, verdict) => {
    h.world.failures.set('DescribeInstances', awsError(code));
    const report = await run();
    expect(mutatingActions()).toEqual([]);
    expect(report.blockedBy).toContain(verdict);
    expect(report.guards.find((g) => g.id === verdict)?.reason).toContain(code);
    expect(report.reads.find((r) => r.action === 'ec2:DescribeInstances')).toMatchObject({ status: 'failed', error: { code } });
    expect(report.steps.map((s) => s.id)).toEqual(['securityhub:note', 'notify', 'evidence']);
  });

  it('an instance that no longer exists (no reservation) is not found', async () => {
    h.world.instance = null;
    const report = await run();
    expect(report.blockedBy).toContain('instance-not-found');
    expect(report.guards.find((g) => g.id === 'instance-not-found')?.reason).toBe(
      `instance ${INSTANCE_ID} does not exist (DescribeInstances returned no such instance): there is nothing to contain`,
    );
    expect(mutatingActions()).toEqual([]);
  });

  it.each(['terminated', 'shutting-down'])('a %s instance is left alone, and the report says why', async (state) => {
    h.world.instance = { ...h.world.instance!, State: { Name: state as never } };
    const report = await run();
    expect(mutatingActions()).toEqual([]);
    expect(report.guards.find((g) => g.id === 'instance-terminated')).toEqual({
      id: 'instance-terminated',
      blocks: true,
      reason: `instance ${INSTANCE_ID} is ${state}: there is nothing left to contain`,
    });
  });

  it('a finding without an instance id makes no call at all', async () => {
    const report = await run(containFinding({ instanceId: null }));
    // But the account's alias, for the notification (lambda/notify/account-alias.ts).
    expect(h.calls().filter((c) => c.action !== 'ListAccountAliases')).toEqual([]);
    expect(report.guards.find((g) => g.id === 'no-instance-id')?.blocks).toBe(true);
  });

  it('an instance that cannot be read (throttled) is not touched: its ENIs are unknown', async () => {
    h.world.failures.set('DescribeInstances', awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const report = await run();
    expect(mutatingActions()).toEqual([]);
    expect(report.guards.find((g) => g.id === 'instance-unreadable')?.reason).toContain('RequestLimitExceeded');
  });

  it('an instance carrying the exempt tag is planned but not changed', async () => {
    h.world.instance = { ...h.world.instance!, Tags: [{ Key: 'ir:exempt', Value: 'honeypot' }] };
    const report = await run();
    expect(report.blockedBy).toEqual(['exempt-tag']);
    expect(mutatingActions()).toEqual([]);
  });
});

describe('contain-instance: a failed step never hides the others', () => {
  it('a throttled ENI move fails with its code; the other ENI and every independent step still run', async () => {
    h.world.failures.set('ModifyNetworkInterfaceAttribute', (input) =>
      input.NetworkInterfaceId === SECONDARY_ENI && (input.Groups as string[])[0] === UNTRACK_SG_A ? awsError('RequestLimitExceeded', 'Request limit exceeded.', 503) : undefined,
    );
    const report = await run();
    expect(step(report, `untrack:${SECONDARY_ENI}`)).toMatchObject({
      status: 'failed',
      error: { code: 'RequestLimitExceeded', retryable: true },
    });
    // Isolation does not wait for the untrack move: new flows are still blocked.
    expect(step(report, `isolate:${SECONDARY_ENI}`).status).toBe('done');
    expect(step(report, `isolate:${PRIMARY_ENI}`).status).toBe('done');
    expect(step(report, 'snapshot-volumes').status).toBe('done');
    expect(report.summary).toMatchObject({ failed: 1, done: 11 });
  });

  it('AccessDenied on the role and UnauthorizedOperation on the snapshots are reported; the rest is done', async () => {
    h.world.failures.set('PutRolePolicy', awsError('AccessDenied', 'User is not authorized to perform: iam:PutRolePolicy', 403));
    h.world.failures.set('CreateSnapshots', awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    const report = await run(containFinding({ type: DNS_REBIND_TYPE }));
    expect(step(report, 'revoke-role-sessions')).toMatchObject({ status: 'failed', error: { code: 'AccessDenied', retryable: false } });
    expect(step(report, 'snapshot-volumes')).toMatchObject({ status: 'failed', error: { code: 'UnauthorizedOperation' } });
    expect(step(report, 'disassociate-instance-profile').status).toBe('done');
    expect(step(report, 'tag-instance').status).toBe('done');
    expect(report.summary.failed).toBe(2);
  });

  it('IncorrectInstanceState on one preservation call leaves the others done', async () => {
    h.world.failures.set('ModifyInstanceAttribute', (input) =>
      input.Attribute === 'instanceInitiatedShutdownBehavior' ? awsError('IncorrectInstanceState', "The instance 'i-0a1b2c3d4e5f60718' is not in a state from which it can be modified.") : undefined,
    );
    const report = await run();
    expect(step(report, 'shutdown-behavior-stop')).toMatchObject({ status: 'failed', error: { code: 'IncorrectInstanceState' } });
    expect(step(report, 'termination-protection').status).toBe('done');
    expect(step(report, 'keep-volumes').status).toBe('done');
  });

  it('InvalidInstanceID.NotFound mid-run (the instance vanished) fails only the calls that hit it', async () => {
    h.world.failures.set('CreateSnapshots', awsError('InvalidInstanceID.NotFound', `The instance ID '${INSTANCE_ID}' does not exist`));
    const report = await run();
    expect(step(report, 'snapshot-volumes')).toMatchObject({ status: 'failed', error: { code: 'InvalidInstanceID.NotFound' } });
    expect(step(report, 'tag-instance').status).toBe('done');
  });

  it('a failed security-group creation skips the moves that need it and says so; the rest still runs', async () => {
    h.world.responderGroups = [];
    h.world.failures.set('CreateSecurityGroup', (input) => (String(input.GroupName).startsWith('guardduty-ir-untrack-') ? awsError('UnauthorizedOperation') : undefined));
    const report = await run();
    expect(step(report, 'create-untrack-sg:vpc-0aaaa000000000001')).toMatchObject({ status: 'failed', error: { code: 'UnauthorizedOperation' } });
    expect(step(report, `untrack:${PRIMARY_ENI}`)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('create-untrack-sg:vpc-0aaaa000000000001 (failed)') });
    expect(step(report, `isolate:${PRIMARY_ENI}`).status).toBe('done');
    expect(step(report, 'snapshot-volumes').status).toBe('done');
  });
});

describe('contain-instance: second delivery of the same finding', () => {
  it('takes no second set of snapshots, keeps the first record of the original groups, and does not reopen isolated ENIs', async () => {
    h.world.snapshotIds = ['snap-0first000000001', 'snap-0first000000002'];
    h.world.instance = {
      ...h.world.instance!,
      NetworkInterfaces: h.world.instance!.NetworkInterfaces!.map((eni) => ({ ...eni, Groups: [{ GroupId: ISOLATION_SG_A }] })),
      Tags: [
        { Key: `ir:original-sgs:${PRIMARY_ENI}`, Value: 'sg-0web000000000001 sg-0ssh000000000001' },
        { Key: `ir:original-sgs:${SECONDARY_ENI}`, Value: 'sg-0db0000000000001' },
        { Key: 'ir:isolated-at', Value: '2026-11-22T07:00:00.000Z' },
      ],
    };
    const report = await run();

    expect(h.callsOf('CreateSnapshots')).toEqual([]);
    expect(step(report, 'snapshot-volumes')).toMatchObject({
      status: 'skipped',
      reason: 'snapshots for this finding already exist (snap-0first000000001, snap-0first000000002)',
    });
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
    expect(step(report, `untrack:${PRIMARY_ENI}`)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('already on the isolation security group') });
    expect(step(report, 'record-original-sgs')).toMatchObject({ status: 'skipped', reason: expect.stringContaining(`already recorded (ir:original-sgs:${PRIMARY_ENI}, ir:original-sgs:${SECONDARY_ENI})`) });
    // Only the incident tags are written, and the first isolation time is kept.
    expect(h.callsOf('CreateTags')).toEqual([
      {
        Resources: [INSTANCE_ID],
        Tags: [
          { Key: 'ir:incident-id', Value: INCIDENT_ID },
          { Key: 'ir:finding-id', Value: FINDING_ID },
          { Key: 'ir:finding-type', Value: CRYPTO_TYPE },
          { Key: 'ir:severity', Value: '8' },
        ],
      },
    ]);
    expect(h.callsOf('DescribeSnapshots')).toEqual([{ OwnerIds: ['self'], Filters: [{ Name: 'tag:ir:finding-id', Values: [FINDING_ID] }] }]);
  });

  it('never records the isolation group as an original group when a first run moved the ENI but could not tag', async () => {
    h.world.instance = {
      ...h.world.instance!,
      NetworkInterfaces: [{ NetworkInterfaceId: PRIMARY_ENI, VpcId: h.world.instance!.VpcId!, Groups: [{ GroupId: UNTRACK_SG_A }], Attachment: { DeviceIndex: 0 } }],
    };
    const report = await run();
    expect(h.callsOf('CreateTags').some((c) => JSON.stringify(c).includes('original-sgs'))).toBe(false);
    expect(step(report, 'record-original-sgs')).toMatchObject({
      status: 'skipped',
      reason: "nothing left to record: the ENIs are already on the responder's security groups",
    });
    expect(report.warnings).toContain(`${PRIMARY_ENI} is already on the responder's security groups and no record of its original groups exists; nothing is recorded for it.`);
    // Still on the untrack group only: it is moved on to isolation.
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
  });
});

describe('contain-instance: sequential AWS round trips before the first ENI is on the untrack group', () => {
  // Long enough that a busy machine's stalls between calls sent together stay well inside one window.
  const DELAY = 150;

  /*
   * Every call takes DELAY; calls that start within the same DELAY window
   * were sent together (one round trip), a later one waited for an answer.
   */
  async function roundTripsBeforeUntrack(): Promise<number> {
    h.world.delayMs = DELAY;
    // A target group makes the longest read chain: DescribeTargetGroups, then DescribeTargetHealth.
    h.world.targetGroups = [{ group: { TargetGroupArn: 'arn:tg/web', TargetGroupName: 'web', TargetType: 'instance' }, targets: [{ Id: INSTANCE_ID, Port: 80 }] }];
    await run();
    const firstMove = h.world.log.findIndex((c) => c.command === 'ModifyNetworkInterfaceAttribute');
    if (firstMove < 0) throw new Error('no ENI was moved');
    let waves = 0;
    let waveStart = -Infinity;
    for (const call of h.world.log.slice(0, firstMove + 1)) {
      if (call.at - waveStart >= DELAY * 0.8) {
        waves += 1;
        waveStart = call.at;
      }
    }
    // The wave that moves the first ENI is not "before" it.
    return waves - 1;
  }

  // DescribeInstances and DescribeSecurityGroups together; the profile and target-health chains are not waited for.
  it('is 1 when the security groups exist', async () => {
    expect(await roundTripsBeforeUntrack()).toBe(1);
  });

  // Verifying the groups found is done on the DescribeSecurityGroups answer itself: no call is added before the first move.
  it('is still 1 when rogue groups carrying the responder\'s tags sit beside the verified ones', async () => {
    h.world.responderGroups = [
      ...h.world.responderGroups,
      { ...responderGroup('sg-0rogue0000000001', VPC_A, 'untrack'), GroupName: 'web-prod' },
      { ...responderGroup('sg-0rogue0000000002', VPC_A, 'isolation'), IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
    ];
    expect(await roundTripsBeforeUntrack()).toBe(1);
    expect(h.callsOf('DescribeSecurityGroups')).toHaveLength(1);
    expect(h.callsOf('CreateSecurityGroup')).toEqual([]);
  });

  // Then CreateSecurityGroup, then the rules of the new groups.
  it('is 3 when they must be created', async () => {
    h.world.responderGroups = [];
    expect(await roundTripsBeforeUntrack()).toBe(3);
  });

  it('isolation is the first change, and does not wait for the reads only the rest of the plan needs', async () => {
    h.world.autoScaling = [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'web-asg', LifecycleState: 'InService' } as never];
    const slowReads = ['DescribeAutoScalingInstances', 'DescribeTargetGroups', 'DescribeSnapshots', 'GetInstanceProfile', 'DescribeIamInstanceProfileAssociations'];
    for (const read of slowReads) h.world.extraDelayMs.set(read, 200);
    const started = Date.now();
    const report = await run(containFinding({ type: DNS_REBIND_TYPE }));

    const mutating = h.world.log.filter((c) => !isReadOnlyAction(c.command));
    expect(mutating.slice(0, 3).map((c) => c.command).sort()).toEqual(['CreateTags', 'ModifyNetworkInterfaceAttribute', 'ModifyNetworkInterfaceAttribute']);
    // Every ENI is on the isolation group before the slow reads could have answered.
    const isolations = h.world.log.filter((c) => c.command === 'ModifyNetworkInterfaceAttribute' && (c.input.Groups as string[])[0] === ISOLATION_SG_A);
    expect(isolations).toHaveLength(2);
    for (const call of isolations) expect(call.at - started).toBeLessThan(200);
    // The plan is still the whole plan, made from every read, and shown as it ran.
    expect(report.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['detach-from-auto-scaling-group', 'revoke-role-sessions', 'disassociate-instance-profile', 'snapshot-volumes']));
    expect(report.reads.map((r) => r.action)).toEqual(expect.arrayContaining(slowReads.map((c) => expect.stringContaining(c))));
    expect(report.summary.failed).toBe(0);
  });
});
