import { BackupClient, DescribeRecoveryPointCommand, TagResourceCommand } from '@aws-sdk/client-backup';
import {
  CreateTagsCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import { executePlan } from '../../../../lambda/plan/executor';
import { ReadLog } from '../../../../lambda/plan/reads';
import { discoverQuarantineImageFacts, offlineQuarantineImageFacts } from '../../../../lambda/playbooks/quarantine-image/discover';
import type { QuarantineImageFacts } from '../../../../lambda/playbooks/quarantine-image/facts';
import { planQuarantineImage } from '../../../../lambda/playbooks/quarantine-image/plan';
import { imageTargetOf } from '../../../../lambda/finding/image-target';
import { loadFixture } from '../../../support/fixtures';

const ec2 = mockClient(EC2Client);
const backup = mockClient(BackupClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const INCIDENT = 'ir-0123456789abcdef';
const SNAP = 'snap-0a1b2c3d4e5f60718';
const AMI = 'ami-0a1b2c3d4e5f60718';

const fixture = (name: string): Finding => parseFindings(loadFixture(`quarantine-image/${name}`))[0]!;
const SNAPSHOT_FINDING = () => fixture('infected-snapshot.event.json');
const AMI_FINDING = () => fixture('infected-ami.raw.json');

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, Code: name, $metadata: { httpStatusCode: 400 } });
}

beforeEach(() => {
  ec2.reset();
  backup.reset();
  ec2.rejects(awsError('UnexpectedCall'));
  backup.rejects(awsError('UnexpectedCall'));
});

function planOf(finding: Finding, facts: QuarantineImageFacts) {
  return planQuarantineImage({ finding, facts, config: DEFAULT_RUNTIME_CONFIG, incidentId: INCIDENT, now: new Date('2026-11-21T11:00:00Z'), responder: { protectedRoleNames: [] } });
}

const run = (steps: Parameters<typeof executePlan>[0]) => executePlan(steps, { clients, outputs: new Map(), outcomes: [], now: () => new Date() }, { blockedBy: [] });

const TAGS = (finding: Finding) => [
  { Key: 'ir:malware', Value: 'infected' },
  { Key: 'ir:incident-id', Value: INCIDENT },
  { Key: 'ir:finding-id', Value: finding.id },
  { Key: 'ir:finding-type', Value: finding.type },
];

describe('what a malware finding names', () => {
  it('is a snapshot, an image, or a recovery point: an EC2 recovery point is its AMI, a Backup-held one its ARN', () => {
    expect(imageTargetOf(SNAPSHOT_FINDING())).toEqual({ kind: 'snapshot', snapshotId: SNAP, viaRecoveryPoint: null });
    expect(imageTargetOf(AMI_FINDING())).toEqual({ kind: 'image', imageId: AMI, viaRecoveryPoint: null });
    expect(imageTargetOf(fixture('infected-recovery-point.get-findings.json'))).toEqual({ kind: 'image', imageId: 'ami-0b2c3d4e5f6071829', viaRecoveryPoint: 'arn:aws:ec2:us-east-1::image/ami-0b2c3d4e5f6071829' });
    const backupHeld = parseFindings({ ...AMI_FINDING(), resource: { resourceType: 'RecoveryPoint', recoveryPointDetails: { recoveryPointArn: 'arn:aws:backup:us-east-1:222222222222:recovery-point:a1b2c3d4-5678-90ab-cdef-000000000001', backupVaultName: 'prod-daily' } } })[0]!;
    expect(imageTargetOf(backupHeld)).toMatchObject({ kind: 'recovery-point', vaultName: 'prod-daily' });
    const forged = parseFindings({ ...AMI_FINDING(), resource: { resourceType: 'EC2Image', ec2ImageDetails: { imageArn: 'arn:aws:ec2:us-east-1::image/ami-0a1b*' } } })[0]!;
    expect(imageTargetOf(forged).kind).toBe('none');
  });
});

describe('quarantine of a shared snapshot', () => {
  it('reads it as the account’s own, records every grant, tags it, then removes exactly those grants', async () => {
    ec2.on(DescribeSnapshotsCommand, { SnapshotIds: [SNAP], OwnerIds: ['self'] }).resolves({ Snapshots: [{ SnapshotId: SNAP, Tags: [{ Key: 'team', Value: 'ops' }] }] });
    ec2.on(DescribeSnapshotAttributeCommand, { SnapshotId: SNAP, Attribute: 'createVolumePermission' }).resolves({ CreateVolumePermissions: [{ UserId: '333333333333' }, { Group: 'all' }] });
    ec2.on(CreateTagsCommand).resolves({});
    ec2.on(ModifySnapshotAttributeCommand).resolves({});
    const finding = SNAPSHOT_FINDING();
    const facts = await discoverQuarantineImageFacts(finding, clients, new ReadLog());
    expect(facts).toMatchObject({ lookup: { status: 'found' }, sharing: [{ userId: '333333333333' }, { group: 'all' }], tags: { team: 'ops' } });
    const plan = planOf(finding, facts);
    expect(plan.steps.map((s) => [s.id, s.action, s.changeClass ?? null, s.stage, [...s.requires]])).toEqual([
      ['tag-infected', 'ec2:CreateTags', 'unshare-image', 0, []],
      ['record-restore:image', 'dynamodb:UpdateItem', null, 0, []],
      ['unshare-snapshot', 'ec2:ModifySnapshotAttribute', 'unshare-image', 1, ['record-restore:image']],
    ]);
    expect(plan.steps[1]!.parameters).toEqual({ Key: `restore#222222222222#us-east-1#${SNAP}`, record: { imageSharing: { kind: 'snapshot', permissions: [{ userId: '333333333333' }, { group: 'all' }] } } });
    const outcomes = await run(plan.steps);
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done', 'done']);
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([{ Resources: [SNAP], Tags: TAGS(finding) }]);
    expect(ec2.commandCalls(ModifySnapshotAttributeCommand).map((c) => c.args[0].input)).toEqual([
      { SnapshotId: SNAP, Attribute: 'createVolumePermission', OperationType: 'remove', UserIds: ['333333333333'], GroupNames: ['all'] },
    ]);
  });

  it('only tags a snapshot shared with nobody', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: SNAP }] });
    ec2.on(DescribeSnapshotAttributeCommand).resolves({ CreateVolumePermissions: [] });
    const finding = SNAPSHOT_FINDING();
    const plan = planOf(finding, await discoverQuarantineImageFacts(finding, clients, new ReadLog()));
    expect(plan.steps.map((s) => s.id)).toEqual(['tag-infected']);
    expect(plan.warnings).toContain(`Snapshot ${SNAP} is shared with no other account: nothing to unshare.`);
  });

  it('touches nothing that is not the finding account’s own snapshot', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    const finding = SNAPSHOT_FINDING();
    const plan = planOf(finding, await discoverQuarantineImageFacts(finding, clients, new ReadLog()));
    expect(plan.steps).toEqual([]);
    expect(plan.verdicts).toEqual([{ id: 'image-not-found', blocks: true, reason: expect.stringContaining("no snapshot snap-0a1b2c3d4e5f60718 owned by the finding's account") }]);
    expect(ec2.commandCalls(DescribeSnapshotAttributeCommand)).toHaveLength(0);
  });
});

describe('quarantine of a shared AMI', () => {
  it('removes every launch permission it read (accounts, organizations, public), and says image block public access is not touched', async () => {
    ec2.on(DescribeImagesCommand, { ImageIds: [AMI], Owners: ['self'] }).resolves({ Images: [{ ImageId: AMI }] });
    ec2.on(DescribeImageAttributeCommand, { ImageId: AMI, Attribute: 'launchPermission' }).resolves({
      LaunchPermissions: [{ UserId: '444444444444' }, { OrganizationArn: 'arn:aws:organizations::111111111111:organization/o-abc123' }, { Group: 'all' }],
    });
    ec2.on(CreateTagsCommand).resolves({});
    ec2.on(ModifyImageAttributeCommand).resolves({});
    const finding = AMI_FINDING();
    const plan = planOf(finding, await discoverQuarantineImageFacts(finding, clients, new ReadLog()));
    await run(plan.steps);
    expect(ec2.commandCalls(ModifyImageAttributeCommand).map((c) => c.args[0].input)).toEqual([
      { ImageId: AMI, LaunchPermission: { Remove: [{ UserId: '444444444444' }, { OrganizationArn: 'arn:aws:organizations::111111111111:organization/o-abc123' }, { Group: 'all' }] } },
    ]);
    expect(plan.warnings.some((w) => w.includes('DisableImageBlockPublicAccess') && w.includes('not touched'))).toBe(true);
  });
});

describe('a recovery point AWS Backup holds', () => {
  it('is tagged with backup:TagResource, and its vault policy and copies are a manual step naming the vault escaped', async () => {
    backup.on(TagResourceCommand).resolves({});
    const arn = 'arn:aws:backup:us-east-1:222222222222:recovery-point:a1b2c3d4-5678-90ab-cdef-000000000001';
    const finding = parseFindings({ ...AMI_FINDING(), type: 'Execution:EC2/MaliciousFile!RecoveryPoint', resource: { resourceType: 'RecoveryPoint', recoveryPointDetails: { recoveryPointArn: arn, backupVaultName: 'prod-daily' } } })[0]!;
    expect(planOf(finding, offlineQuarantineImageFacts(finding)).steps.map((s) => s.id)).toEqual(['tag-infected']);
    // Acted on only once AWS Backup has it in that vault of the finding's account.
    backup.on(DescribeRecoveryPointCommand).rejects(awsError('ResourceNotFoundException'));
    expect(planOf(finding, await discoverQuarantineImageFacts(finding, clients, new ReadLog())).verdicts[0]).toMatchObject({ id: 'image-not-found', blocks: true });
    backup.on(DescribeRecoveryPointCommand, { BackupVaultName: 'prod-daily', RecoveryPointArn: arn }).resolves({ RecoveryPointArn: arn, BackupVaultName: 'prod-daily' });
    const plan = planOf(finding, await discoverQuarantineImageFacts(finding, clients, new ReadLog()));
    expect(plan.steps.map((s) => [s.id, s.action, s.changeClass])).toEqual([['tag-infected', 'backup:TagResource', 'unshare-image']]);
    await run(plan.steps);
    expect(backup.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceArn: arn, Tags: { 'ir:malware': 'infected', 'ir:incident-id': INCIDENT, 'ir:finding-id': finding.id, 'ir:finding-type': finding.type } },
    ]);
    expect(plan.warnings.find((w) => w.startsWith('MANUAL'))).toMatch(/^MANUAL: AWS Backup has no per-recovery-point sharing to remove: .*vault prod-daily's access policy/);
  });
});
