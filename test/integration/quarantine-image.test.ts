import { CreateImageCommand, CreateSnapshotCommand, DescribeImageAttributeCommand, DescribeSnapshotAttributeCommand, DescribeSnapshotsCommand, DescribeImagesCommand, ModifyImageAttributeCommand, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import { parseFindings } from '../../lambda/finding/parse';
import type { Finding } from '../../lambda/finding/schema';
import { RestoreLedger } from '../../lambda/ledger/restore-record';
import { releaseImage } from '../../lambda/release/image';
import { respond } from '../../lambda/respond/respond';
import { loadFixture } from '../support/fixtures';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { newFindingId } from './support/findings';
import { createLedgerTable, LEDGER_TABLE } from './support/handler-bench';
import { ENFORCE_CONFIG, failedSteps, RESPONDER } from './support/run-playbook';

/*
 * quarantine-image against the emulator: moto implements DescribeSnapshots /
 * DescribeImages (owner self), DescribeSnapshotAttribute and
 * ModifySnapshotAttribute createVolumePermission, DescribeImageAttribute and
 * ModifyImageAttribute launchPermission, and CreateTags, so the whole plan
 * runs and is read back. Not seen here (unit tests with mocked clients only):
 * AWS Backup recovery points (DescribeRecoveryPoint, TagResource), and
 * launch permissions of organizations and OUs.
 */

let account: EmulatedAccount;
let ledger: RestoreLedger;
let snapshotId: string;
let imageId: string;
const OTHER = '333333333333';

beforeAll(async () => {
  account = await freshSeededAccount();
  ledger = new RestoreLedger(await createLedgerTable(account), LEDGER_TABLE);
  const { ec2 } = account.clients;
  const volumeId = account.seed.instanceA.volumeIds[0]!;
  snapshotId = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId, Description: 'nightly' }))).SnapshotId!;
  await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: [OTHER], GroupNames: ['all'] }));
  imageId = (await ec2.send(new CreateImageCommand({ InstanceId: account.seed.instanceA.instanceId, Name: 'golden-image' }))).ImageId!;
  await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: OTHER }, { Group: 'all' }] } }));
}, 120_000);

function findingFor(fixture: string, edit: (detail: Record<string, unknown>) => void): Finding {
  const event = structuredClone(loadFixture(`quarantine-image/${fixture}`)) as Record<string, unknown>;
  const detail = ('detail' in event ? event.detail : event) as Record<string, unknown>;
  const id = newFindingId();
  Object.assign(detail, { accountId: account.seed.accountId, region: account.seed.region, id, arn: `arn:aws:guardduty:${account.seed.region}:${account.seed.accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${id}` });
  edit(detail);
  return parseFindings(event)[0]!;
}

const run = (finding: Finding) => respond(finding, { config: ENFORCE_CONFIG, clients: account.clients, dryRun: false, topicArn: account.seed.notifications.topicArn, responder: RESPONDER, restoreLedger: ledger });

describe('quarantine-image on the emulator', () => {
  it('tags a public, shared snapshot as infected and shares it with nobody, the grants recorded in the ledger first', async () => {
    const report = await run(findingFor('infected-snapshot.event.json', (d) => ((d.resource as Record<string, unknown>).ebsSnapshotDetails = { snapshotArn: `arn:aws:ec2:${account.seed.region}::snapshot/${snapshotId}` })));
    expect(failedSteps(report)).toEqual([]);
    expect(report.steps.filter((s) => s.mutating && !s.id.startsWith('securityhub')).map((s) => [s.id, s.status])).toEqual([
      ['tag-infected', 'done'],
      ['record-restore:image', 'done'],
      ['unshare-snapshot', 'done'],
    ]);
    const attribute = await account.clients.ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }));
    expect(attribute.CreateVolumePermissions ?? []).toEqual([]);
    const snapshot = (await account.clients.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots![0]!;
    expect(Object.fromEntries((snapshot.Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({ 'ir:malware': 'infected', 'ir:incident-id': report.incidentId });
    const record = await ledger.read(`restore#${account.seed.accountId}#${account.seed.region}#${snapshotId}`);
    expect(record?.imageSharing).toEqual({ kind: 'snapshot', permissions: expect.arrayContaining([{ userId: OTHER }, { group: 'all' }]) });
  }, 120_000);

  it('removes every launch permission of a shared AMI', async () => {
    const report = await run(findingFor('infected-ami.raw.json', (d) => ((d.resource as Record<string, unknown>).ec2ImageDetails = { imageArn: `arn:aws:ec2:${account.seed.region}::image/${imageId}` })));
    expect(failedSteps(report)).toEqual([]);
    expect(report.steps.find((s) => s.id === 'unshare-image')?.status).toBe('done');
    const attribute = await account.clients.ec2.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }));
    expect(attribute.LaunchPermissions ?? []).toEqual([]);
    const image = (await account.clients.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0]!;
    expect(Object.fromEntries((image.Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({ 'ir:malware': 'infected' });
  }, 120_000);

  it('changes nothing for a snapshot the account does not have', async () => {
    const report = await run(findingFor('infected-snapshot.event.json', (d) => ((d.resource as Record<string, unknown>).ebsSnapshotDetails = { snapshotArn: `arn:aws:ec2:${account.seed.region}::snapshot/snap-0fffffffffffffff0` })));
    expect(report.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
    expect(report.guards.some((g) => g.blocks && (g.id === 'image-not-found' || g.id === 'image-unreadable'))).toBe(true);
  }, 120_000);

  it('ir release --image gives the snapshot back exactly the recorded grants and closes the record; a second release is refused', async () => {
    const release = () => releaseImage(snapshotId, { clients: account.clients, ledger, region: account.seed.region, dryRun: false });
    const released = await release();
    expect(released).toMatchObject({ refused: null, steps: [{ id: 'restore-image-sharing', status: 'done' }], ledger: { status: 'recorded' } });
    const attribute = await account.clients.ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }));
    expect(attribute.CreateVolumePermissions).toEqual(expect.arrayContaining([{ UserId: OTHER }, { Group: 'all' }]));
    expect(attribute.CreateVolumePermissions).toHaveLength(2);
    expect((await release()).refused).toMatch(/already released/);
  }, 120_000);
});
