import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import type { ReleaseReport } from '../../../lambda/release/report';
import { releaseFailed } from '../../../lambda/release/report';
import { releaseInstance } from '../../../lambda/release/release';
import {
  awsError,
  callsOf,
  INCIDENT_TAGS,
  INSTANCE_ID,
  ISOLATION_SG,
  PRIMARY_ENI,
  PRIMARY_GROUPS,
  PROFILE_ARN,
  READ_ONLY_COMMANDS,
  SECONDARY_ENI,
  SECONDARY_GROUPS,
  SNAPSHOTS,
  useReleaseWorld,
} from '../../support/aws-mocks/release-world';

const h = useReleaseWorld();
const NOW = new Date('2026-11-23T10:00:00.000Z');

function release(dryRun = false): Promise<ReleaseReport> {
  return releaseInstance(INSTANCE_ID, { clients: createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT), region: 'us-east-1', dryRun, now: () => NOW });
}

const stepRows = (report: ReleaseReport) => report.steps.map((s) => [s.id, s.stage, s.status]);
const mutatingCalls = () => h.world.log.filter((c) => !READ_ONLY_COMMANDS.includes(c.command));
const sortedIncidentKeys = Object.keys(INCIDENT_TAGS).sort();

describe('releaseInstance with a complete record', () => {
  it('reads the instance, its profile association and its evidence snapshots with these exact requests', async () => {
    await release();
    expect(callsOf(h.world, 'DescribeInstances')).toEqual([{ InstanceIds: [INSTANCE_ID] }]);
    expect(callsOf(h.world, 'DescribeIamInstanceProfileAssociations')).toEqual([
      {
        Filters: [
          { Name: 'instance-id', Values: [INSTANCE_ID] },
          { Name: 'state', Values: ['associating', 'associated'] },
        ],
      },
    ]);
    expect(callsOf(h.world, 'DescribeSnapshots')).toEqual([{ OwnerIds: ['self'], Filters: [{ Name: 'tag:ir:source-instance', Values: [INSTANCE_ID] }] }]);
  });

  it('puts each ENI back on exactly its recorded groups and associates the recorded profile again', async () => {
    const report = await release();
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: SECONDARY_GROUPS },
    ]);
    expect(callsOf(h.world, 'AssociateIamInstanceProfile')).toEqual([{ InstanceId: INSTANCE_ID, IamInstanceProfile: { Arn: PROFILE_ARN } }]);
    expect(report.steps.find((s) => s.id === 'restore-instance-profile')).toMatchObject({ status: 'done', detail: 'association iip-assoc-0restored' });
    expect(report.steps.find((s) => s.id === `restore-groups:${PRIMARY_ENI}`)).toMatchObject({
      status: 'done',
      why: `the groups recorded before isolation (now on ${ISOLATION_SG})`,
      parameters: { NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS },
    });
  });

  it('removes exactly the tags the containment wrote, after every restore, and keeps every other tag', async () => {
    const report = await release();
    expect(callsOf(h.world, 'DeleteTags')).toEqual([{ Resources: [INSTANCE_ID], Tags: sortedIncidentKeys.map((Key) => ({ Key })) }]);
    // Not Name, env, nor ir:runbook, which a team set.
    expect(sortedIncidentKeys).not.toContain('ir:runbook');
    expect(h.world.log.map((c) => c.command).slice(-1)).toEqual(['DeleteTags']);
    expect(stepRows(report)).toEqual([
      [`restore-groups:${PRIMARY_ENI}`, 1, 'done'],
      [`restore-groups:${SECONDARY_ENI}`, 1, 'done'],
      ['restore-instance-profile', 1, 'done'],
      ['remove-incident-tags', 2, 'done'],
    ]);
    expect(report.steps[3]!.requires).toEqual([`restore-groups:${PRIMARY_ENI}`, `restore-groups:${SECONDARY_ENI}`, 'restore-instance-profile']);
  });

  it('keeps the snapshots and says so, with what stays as the containment set it', async () => {
    const report = await release();
    expect(report).toMatchObject({ refused: null, dryRun: false, blockedBy: [], snapshotsKept: SNAPSHOTS, summary: { done: 4, skipped: 0, failed: 0 } });
    expect(report.warnings).toEqual([
      expect.stringMatching(/^If the containment revoked the sessions of the role of .*web-tier, its inline policy AWSRevokeOlderSessions stays/),
      `Evidence snapshots are kept: ${SNAPSHOTS.join(', ')}. Delete them when the investigation is closed.`,
      expect.stringMatching(/^Termination protection, the "stop" shutdown behaviour and DeleteOnTermination=false .* stay as the containment set them/),
      expect.stringMatching(/^Auto Scaling group membership and load balancer target groups are not restored: the group launched a replacement/),
      // No ledger here: the tags were the record, and the report says what that means.
      expect.stringMatching(/^No ledger was given .*: restored from the instance's tags, which anyone who can tag the instance can write/),
    ]);
    expect(h.world.log.map((c) => c.command)).not.toContain('DeleteSnapshot');
    expect(releaseFailed(report)).toBe(false);
  });

  it('reports the record it restored from', async () => {
    const report = await release();
    expect(report.record).toEqual({
      networkInterfaces: [
        { networkInterfaceId: PRIMARY_ENI, groupIds: PRIMARY_GROUPS },
        { networkInterfaceId: SECONDARY_ENI, groupIds: SECONDARY_GROUPS },
      ],
      unusable: [],
      instanceProfile: { Arn: PROFILE_ARN },
      incidentTagKeys: sortedIncidentKeys,
    });
  });
});

describe('releaseInstance --dry-run', () => {
  it('plans the same steps and sends no mutating command', async () => {
    const report = await release(true);
    expect(mutatingCalls()).toEqual([]);
    expect(report.steps.map((s) => [s.id, s.status, s.reason])).toEqual([
      [`restore-groups:${PRIMARY_ENI}`, 'skipped', 'blocked by dry-run'],
      [`restore-groups:${SECONDARY_ENI}`, 'skipped', 'blocked by dry-run'],
      ['restore-instance-profile', 'skipped', 'blocked by dry-run'],
      ['remove-incident-tags', 'skipped', 'blocked by dry-run'],
    ]);
    expect(report.steps[0]!.parameters).toEqual({ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS });
    expect(report).toMatchObject({ dryRun: true, blockedBy: ['dry-run'], refused: null });
    expect(releaseFailed(report)).toBe(false);
  });
});

describe('releaseInstance refuses, and changes nothing', () => {
  it('when the instance carries no record of a containment', async () => {
    h.world.tags = { Name: 'web-01', 'ir:incident-id': 'ir-0123456789abcdef', 'ir:isolated-at': '2026-11-22T08:00:00.000Z' };
    const report = await release();
    expect(report.refused).toBe(
      `instance ${INSTANCE_ID} carries no record of a containment (no ir:original-sgs:<eni-id> or ir:original-instance-profile tag): ` +
        'there is nothing to restore it to, and nothing was changed',
    );
    expect(report.steps).toEqual([]);
    expect(mutatingCalls()).toEqual([]);
    expect(releaseFailed(report)).toBe(true);
  });

  it('when the instance does not exist', async () => {
    h.world.failures.set('DescribeInstances', awsError('InvalidInstanceID.NotFound', `The instance ID '${INSTANCE_ID}' does not exist`));
    const report = await release();
    expect(report.refused).toBe(`instance ${INSTANCE_ID} was not found (InvalidInstanceID.NotFound: The instance ID '${INSTANCE_ID}' does not exist): nothing to release, nothing was changed`);
    expect(h.world.log.map((c) => c.command)).toEqual(['DescribeInstances']);
    expect(report.record).toBeNull();
  });

  it('when the instance cannot be described, naming the AWS error', async () => {
    h.world.failures.set('DescribeInstances', awsError('UnauthorizedOperation', 'not allowed', 403));
    const report = await release();
    expect(report.refused).toBe(`instance ${INSTANCE_ID} could not be described (UnauthorizedOperation: not allowed): nothing was changed`);
    expect(report.reads).toEqual([expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: 'UnauthorizedOperation' }) })]);
  });

  it('when the instance is terminated', async () => {
    h.world.instance = { ...h.world.instance!, State: { Name: 'terminated', Code: 48 } };
    const report = await release();
    expect(report.refused).toBe(`instance ${INSTANCE_ID} is terminated: nothing to release, nothing was changed`);
    expect(mutatingCalls()).toEqual([]);
  });
});

describe('releaseInstance with a partial or odd record', () => {
  it('restores the recorded ENI, leaves an isolated ENI without record where it is, and keeps the incident tags', async () => {
    delete h.world.tags[`ir:original-sgs:${SECONDARY_ENI}`];
    const report = await release();
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS }]);
    expect(callsOf(h.world, 'DeleteTags')).toEqual([]);
    expect(stepRows(report)).toEqual([
      [`restore-groups:${PRIMARY_ENI}`, 1, 'done'],
      ['restore-instance-profile', 1, 'done'],
    ]);
    expect(report.warnings.slice(0, 2)).toEqual([
      `${SECONDARY_ENI} has no record of its original security groups and stays on ${ISOLATION_SG}. ` +
        `Tag the instance with ir:original-sgs:${SECONDARY_ENI}=<its group ids, space-separated> and run ir release again.`,
      expect.stringContaining('its inline policy AWSRevokeOlderSessions stays'),
    ]);
    expect(report.warnings).toContain(`The incident tags stay on ${INSTANCE_ID}: ${SECONDARY_ENI} could not be restored from a record, so the instance is still partly isolated.`);
  });

  it('knows an isolation group this version created (its name has a suffix): an ENI on it without record stays where it is', async () => {
    delete h.world.tags[`ir:original-sgs:${SECONDARY_ENI}`];
    const suffixed = { GroupId: ISOLATION_SG, GroupName: 'guardduty-ir-isolation-0a1b2c3d' };
    h.world.instance = { ...h.world.instance!, NetworkInterfaces: h.world.instance!.NetworkInterfaces!.map((eni) => ({ ...eni, Groups: [suffixed] })) };
    const report = await release();
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS }]);
    expect(report.warnings).toContain(`The incident tags stay on ${INSTANCE_ID}: ${SECONDARY_ENI} could not be restored from a record, so the instance is still partly isolated.`);
  });

  it('never applies a record that is not a list of group ids', async () => {
    h.world.tags[`ir:original-sgs:${SECONDARY_ENI}`] = 'web-tier, db';
    const report = await release();
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS }]);
    expect(callsOf(h.world, 'DeleteTags')).toEqual([]);
    expect(report.warnings[0]).toBe(`The record of ${SECONDARY_ENI} ("web-tier, db") is not a list of security group ids: ${SECONDARY_ENI} stays on ${ISOLATION_SG}.`);
    expect(report.record?.unusable).toEqual([{ networkInterfaceId: SECONDARY_ENI, value: 'web-tier, db' }]);
  });

  it('ignores an ENI without record that is not on the responder groups (attached after the containment)', async () => {
    delete h.world.tags[`ir:original-sgs:${SECONDARY_ENI}`];
    h.world.instance!.NetworkInterfaces![0]!.Groups = [{ GroupId: 'sg-0new00000000000001', GroupName: 'late-attach' }];
    const report = await release();
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS }]);
    expect(callsOf(h.world, 'DeleteTags')).toHaveLength(1);
    expect(report.summary.failed).toBe(0);
  });

  // Anyone who can tag the instance can write a record: it is applied only to an ENI the responder holds.
  it('never applies a record to an ENI on its own groups (not isolated): it stays, the report says so, and the rest is released', async () => {
    h.world.tags[`ir:original-sgs:${PRIMARY_ENI}`] = 'sg-0attacker0000001';
    h.world.instance!.NetworkInterfaces!.find((e) => e.NetworkInterfaceId === PRIMARY_ENI)!.Groups = PRIMARY_GROUPS.map((GroupId) => ({ GroupId, GroupName: GroupId }));
    const report = await release();
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toEqual([{ NetworkInterfaceId: SECONDARY_ENI, Groups: SECONDARY_GROUPS }]);
    expect(report.warnings).toContain(
      `${PRIMARY_ENI} is on ${PRIMARY_GROUPS.join(', ')}, not on the responder's groups: it is not isolated, so its record (sg-0attacker0000001) is not applied and it stays where it is.`,
    );
    expect(callsOf(h.world, 'DeleteTags')).toHaveLength(1);
    expect(report.summary.failed).toBe(0);
  });

  it('says nothing of an ENI on its own groups whose record names exactly them', async () => {
    h.world.instance!.NetworkInterfaces!.find((e) => e.NetworkInterfaceId === PRIMARY_ENI)!.Groups = [...PRIMARY_GROUPS].reverse().map((GroupId) => ({ GroupId, GroupName: GroupId }));
    const report = await release();
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toEqual([{ NetworkInterfaceId: SECONDARY_ENI, Groups: SECONDARY_GROUPS }]);
    expect(report.warnings.filter((w) => w.includes(PRIMARY_ENI))).toEqual([]);
  });

  it('warns about a recorded ENI no longer attached, and still removes the tags', async () => {
    h.world.instance = { ...h.world.instance!, NetworkInterfaces: h.world.instance!.NetworkInterfaces!.filter((e) => e.NetworkInterfaceId === PRIMARY_ENI) };
    const report = await release();
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS }]);
    expect(report.warnings[0]).toBe(`${SECONDARY_ENI} is recorded but no longer attached to ${INSTANCE_ID}: its groups (${SECONDARY_GROUPS[0]}) are not restored.`);
    expect(callsOf(h.world, 'DeleteTags')).toEqual([{ Resources: [INSTANCE_ID], Tags: sortedIncidentKeys.map((Key) => ({ Key })) }]);
  });

  it('restores only the groups when no instance profile was recorded', async () => {
    delete h.world.tags['ir:original-instance-profile'];
    const report = await release();
    expect(callsOf(h.world, 'AssociateIamInstanceProfile')).toEqual([]);
    expect(report.steps.map((s) => s.id)).toEqual([`restore-groups:${PRIMARY_ENI}`, `restore-groups:${SECONDARY_ENI}`, 'remove-incident-tags']);
    expect(report.warnings.some((w) => w.includes('AWSRevokeOlderSessions'))).toBe(false);
  });

  it('associates a profile recorded by name (its ARN was too long for a tag) by name', async () => {
    h.world.tags['ir:original-instance-profile'] = 'web-tier';
    await release();
    expect(callsOf(h.world, 'AssociateIamInstanceProfile')).toEqual([{ InstanceId: INSTANCE_ID, IamInstanceProfile: { Name: 'web-tier' } }]);
  });
});

describe('releaseInstance and the instance profile now', () => {
  it('associates nothing when the recorded profile is already back', async () => {
    h.world.associatedProfileArn = PROFILE_ARN;
    const report = await release();
    expect(callsOf(h.world, 'AssociateIamInstanceProfile')).toEqual([]);
    expect(report.warnings[0]).toBe(`${PROFILE_ARN} is already associated with ${INSTANCE_ID} again; nothing to restore.`);
    expect(callsOf(h.world, 'DeleteTags')).toHaveLength(1);
  });

  it('recognises a profile recorded by name in the ARN associated now', async () => {
    h.world.tags['ir:original-instance-profile'] = 'web-tier';
    h.world.associatedProfileArn = PROFILE_ARN;
    const report = await release();
    expect(callsOf(h.world, 'AssociateIamInstanceProfile')).toEqual([]);
    expect(report.warnings[0]).toBe(`web-tier is already associated with ${INSTANCE_ID} again; nothing to restore.`);
  });

  it('never replaces a profile someone associated after the containment', async () => {
    const other = 'arn:aws:iam::111122223333:instance-profile/forensics';
    h.world.associatedProfileArn = other;
    const report = await release();
    expect(callsOf(h.world, 'AssociateIamInstanceProfile')).toEqual([]);
    expect(report.warnings[0]).toBe(`${INSTANCE_ID} now has instance profile ${other}, associated after the containment: the recorded ${PROFILE_ARN} is not put back.`);
  });

  it('still associates the profile when the association could not be read, and says so', async () => {
    h.world.failures.set('DescribeIamInstanceProfileAssociations', awsError('RequestLimitExceeded', 'slow down', 503));
    const report = await release();
    expect(callsOf(h.world, 'AssociateIamInstanceProfile')).toHaveLength(1);
    expect(report.warnings[0]).toBe(
      `Whether ${INSTANCE_ID} has an instance profile now is DescribeIamInstanceProfileAssociations failed (RequestLimitExceeded): ${PROFILE_ARN} is associated again (AWS refuses if one already is).`,
    );
    // A failed read makes the release count as failed, though every step was done.
    expect(report.summary.failed).toBe(0);
    expect(releaseFailed(report)).toBe(true);
  });
});

describe('releaseInstance when a step fails', () => {
  it('reports the AWS error code and keeps the incident tags, so the release can be run again', async () => {
    h.world.failures.set('AssociateIamInstanceProfile', awsError('IncorrectState', 'There is an existing association'));
    const report = await release();
    expect(report.steps.find((s) => s.id === 'restore-instance-profile')).toMatchObject({ status: 'failed', error: { code: 'IncorrectState' } });
    expect(report.steps.find((s) => s.id === 'remove-incident-tags')).toMatchObject({ status: 'skipped', reason: 'needs restore-instance-profile (failed)' });
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toHaveLength(2);
    expect(callsOf(h.world, 'DeleteTags')).toEqual([]);
    expect(releaseFailed(report)).toBe(true);
  });

  it('says when the evidence snapshots could not be listed (a release never deletes them anyway)', async () => {
    h.world.failures.set('DescribeSnapshots', awsError('UnauthorizedOperation', 'no', 403));
    const report = await release();
    expect(report.snapshotsKept).toBeNull();
    expect(report.warnings).toContain(`Whether evidence snapshots of ${INSTANCE_ID} exist is DescribeSnapshots failed (UnauthorizedOperation); a release never deletes snapshots.`);
  });
});
