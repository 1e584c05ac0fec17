import { GuardDutyClient, type FindingResourceType } from '@aws-sdk/client-guardduty';
import { createAwsClients } from '../../../lambda/aws/clients';
import { MAX_DESCRIBED_DIFFERENCES } from '../../../lambda/confirm/compare';
import { startConfirmation } from '../../../lambda/confirm/confirmation';
import { CONFIRMED_PREFIX, FINDING_CONFIRMATION } from '../../../lambda/confirm/verdicts';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import type { GuardVerdict } from '../../../lambda/guards/types';
import { guardDutyTypeNameOf } from '../../../lambda/finding/sequence-types';
import { ReadLog } from '../../../lambda/plan/reads';
import type { PlaybookName } from '../../../lambda/routing/playbook-names';
import { enforceConfig } from '../../support/aws-mocks/contain-finding';
import { DETECTOR_ID, guardDutyHolds, heldFinding, useGuardDuty } from '../../support/aws-mocks/guardduty';
import { loadFixture } from '../../support/fixtures';

/*
 * REVIEW N3: a forged copy of a real finding (its id, type and account
 * GuardDuty's) with the resource rewritten must not retarget a playbook.
 * For every acting playbook, with a fixture of its own: GuardDuty holds the
 * finding exactly as delivered and the confirmation passes; one field a
 * playbook acts on is rewritten (or added, or removed) in the delivery,
 * everything else identical, and the confirmation refuses with that field
 * named. The refusal is the same `finding-confirmation` block every other
 * mismatch gives, which stops every change (confirmation.test.ts proves
 * that on the response path).
 */

const guardDuty = useGuardDuty();

type Path = readonly (string | number)[];

function fieldName(path: Path): string {
  return path.reduce<string>((name, part) => (typeof part === 'number' ? `${name}[${part}]` : name === '' ? part : `${name}.${part}`), '');
}

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((inner, part) => (inner as Record<string | number, unknown> | undefined)?.[part], value);
}

/** A copy with the value at `path` replaced (undefined: removed); the parents must exist unless `create`. */
function rewritten(finding: Finding, path: Path, value: unknown): Finding {
  const copy = structuredClone(finding) as unknown as Record<string | number, unknown>;
  let inner = copy;
  for (const part of path.slice(0, -1)) {
    inner[part] ??= {};
    inner = inner[part] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete inner[last];
  else inner[last] = value;
  return copy as unknown as Finding;
}

function fixture(relative: string): Finding {
  return parseFindings(loadFixture(relative))[0]!;
}

async function confirmation(finding: Finding, playbook: PlaybookName, exemptTagKey?: string): Promise<GuardVerdict> {
  const config = exemptTagKey === undefined ? enforceConfig() : { ...enforceConfig(), exemptTagKey };
  const home = createAwsClients({ region: finding.region!, credentials: { accessKeyId: 'home', secretAccessKey: 'home' }, maxAttempts: 1 }, { guardDuty: GuardDutyClient });
  const verdicts = await startConfirmation({ finding, playbook, config, home, region: finding.region!, reads: new ReadLog() })!;
  expect(verdicts).toHaveLength(1);
  return verdicts[0]!;
}

interface Rewrite {
  readonly path: Path;
  /** The delivered value; undefined: the delivery drops a field GuardDuty holds. */
  readonly forged: unknown;
  /** The difference as the reason shows it, when it is not the field's path with both values. */
  readonly shown?: string;
}

const S3_OBJECT: Path = ['resource', 's3BucketDetails', 0, 's3ObjectDetails', 0];
const K8S_USER: Path = ['resource', 'kubernetesDetails', 'kubernetesUserDetails'];
const TASK: Path = ['resource', 'ecsClusterDetails', 'taskDetails'];
const REMOTE: Path = ['service', 'action', 'awsApiCallAction', 'remoteAccountDetails'];
const SEQUENCE: Path = ['service', 'detection', 'sequence'];

const CASES: ReadonlyArray<readonly [PlaybookName, string, readonly Rewrite[]]> = [
  ['contain-instance', 'contain-instance/crypto-bitcoin-tool.event.json', [{ path: ['resource', 'instanceDetails', 'instanceId'], forged: 'i-0fedcba9876543210' }]],
  [
    'block-public-access',
    'block-public-access/bucket-public-access-granted.event.json',
    [
      { path: ['resource', 's3BucketDetails', 0, 'name'], forged: 'company-website' },
      { path: ['resource', 's3BucketDetails', 0, 'arn'], forged: 'arn:aws:s3:::company-website' },
    ],
  ],
  [
    'quarantine-object',
    'quarantine-object/malicious-file.event.json',
    [
      { path: [...S3_OBJECT, 'key'], forged: 'payroll/2026-11.xlsx' },
      { path: [...S3_OBJECT, 'versionId'], forged: 'Zm9yZ2VkLXZlcnNpb24' },
      { path: [...S3_OBJECT, 'versionId'], forged: undefined },
      { path: [...S3_OBJECT, 'eTag'], forged: '00000000000000000000000000000000' },
      { path: [...S3_OBJECT, 'hash'], forged: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      { path: [...S3_OBJECT, 'objectArn'], forged: 'arn:aws:s3:::other-bucket/payroll/2026-11.xlsx' },
    ],
  ],
  [
    'contain-eks',
    'contain-eks/eks-audit-exec-assumed-role.raw.json',
    [
      { path: [...K8S_USER, 'username'], forged: 'arn:aws:sts::222222222222:assumed-role/platform-admin/someone' },
      { path: [...K8S_USER, 'uid'], forged: 'aws-iam-authenticator:222222222222:AROAEXAMPLEADMIN00001' },
      { path: [...K8S_USER, 'sessionName', 0], forged: 'someone' },
      { path: ['resource', 'eksClusterDetails', 'name'], forged: 'payments' },
      { path: ['resource', 'eksClusterDetails', 'arn'], forged: 'arn:aws:eks:us-east-1:222222222222:cluster/payments' },
      { path: ['resource', 'kubernetesDetails', 'kubernetesWorkloadDetails', 'namespace'], forged: 'payments' },
    ],
  ],
  [
    'contain-eks',
    'contain-eks/eks-runtime-node.event.json',
    [
      { path: ['resource', 'instanceDetails', 'instanceId'], forged: 'i-0fedcba9876543210' },
      { path: ['resource', 'instanceDetails', 'networkInterfaces', 0, 'privateDnsName'], forged: 'ip-10-0-9-9.ec2.internal' },
    ],
  ],
  [
    'contain-task',
    'contain-task/fargate-bitcoin-dns.event.json',
    [
      { path: [...TASK, 'arn'], forged: 'arn:aws:ecs:us-east-1:222222222222:task/checkout/0123456789abcdef0123456789abcdef' },
      { path: [...TASK, 'definitionArn'], forged: 'arn:aws:ecs:us-east-1:222222222222:task-definition/checkout:7' },
      { path: ['resource', 'ecsClusterDetails', 'arn'], forged: 'arn:aws:ecs:us-east-1:222222222222:cluster/payments' },
    ],
  ],
  [
    'contain-database',
    'contain-database/malicious-ip-successful-login.event.json',
    [
      { path: ['resource', 'rdsDbInstanceDetails', 'dbInstanceIdentifier'], forged: 'billing-primary' },
      { path: ['resource', 'rdsDbInstanceDetails', 'dbClusterIdentifier'], forged: 'billing' },
      { path: ['resource', 'rdsDbInstanceDetails', 'engine'], forged: 'mysql' },
      { path: ['resource', 'rdsDbUserDetails', 'user'], forged: 'admin' },
    ],
  ],
  [
    'contain-database',
    'contain-database/limitless-brute-force.raw.json',
    [
      { path: ['resource', 'rdsLimitlessDbDetails', 'dbClusterIdentifier'], forged: 'billing' },
      { path: ['resource', 'rdsLimitlessDbDetails', 'dbShardGroupIdentifier'], forged: 'billing-shards' },
    ],
  ],
  ['quarantine-image', 'quarantine-image/infected-snapshot.event.json', [{ path: ['resource', 'ebsSnapshotDetails', 'snapshotArn'], forged: 'arn:aws:ec2:us-east-1::snapshot/snap-0fedcba9876543210' }]],
  ['quarantine-image', 'quarantine-image/infected-ami.raw.json', [{ path: ['resource', 'ec2ImageDetails', 'imageArn'], forged: 'arn:aws:ec2:us-east-1::image/ami-0fedcba9876543210' }]],
  [
    'quarantine-image',
    'quarantine-image/infected-recovery-point.get-findings.json',
    [
      { path: ['resource', 'recoveryPointDetails', 'recoveryPointArn'], forged: 'arn:aws:backup:us-east-1:222222222222:recovery-point:0fedcba9-8765-4321-0fed-cba987654321' },
      { path: ['resource', 'recoveryPointDetails', 'backupVaultName'], forged: 'other-vault' },
    ],
  ],
  [
    'revoke-credentials',
    'revoke-credentials/exfiltration-s3-cross-account.event.json',
    [
      // H1: a caller of another account must not be passed off as one of ours (or the reverse).
      { path: [...REMOTE, 'accountId'], forged: '222222222222' },
      { path: [...REMOTE, 'affiliated'], forged: true },
      { path: [...REMOTE, 'accountId'], forged: undefined },
      { path: ['resource', 's3BucketDetails', 1, 'name'], forged: 'example-audit-logs' },
    ],
  ],
  ['contain-function', 'contain-function/cnc-activity.event.json', [{ path: ['resource', 'lambdaDetails', 'functionArn'], forged: 'arn:aws:lambda:us-east-1:222222222222:function:payments-api' }]],
  [
    'answer-sequence',
    'answer-sequence/compromised-credentials.event.json',
    [
      { path: [...SEQUENCE, 'resources', 1, 'uid'], forged: 'arn:aws:s3:::company-website' },
      // The type is compared in GuardDuty's spelling, whichever the delivery used.
      {
        path: [...SEQUENCE, 'resources', 1, 'type'],
        forged: 'AWS::EC2::Instance',
        shown: 'service.detection.sequence.resources[1].resourceType is "EC2_INSTANCE" in the finding delivered, "S3_BUCKET" in GuardDuty',
      },
      { path: [...SEQUENCE, 'resources', 0, 'accountId'], forged: '333333333333' },
      { path: [...SEQUENCE, 'signals', 0, 'name'], forged: 'Backdoor:EC2/C&CActivity.B' },
      { path: [...SEQUENCE, 'signals', 0, 'resourceUids', 0], forged: 'arn:aws:s3:::company-website' },
      { path: [...SEQUENCE, 'actors', 0, 'user', 'credentialUid'], forged: 'AKIA2EXAMPLEOTHERKEY' },
      { path: [...SEQUENCE, 'actors', 0, 'user', 'uid'], forged: 'AIDA2EXAMPLEOTHER' },
    ],
  ],
];

describe.each(CASES)('%s (%s)', (playbook, file, rewrites) => {
  const delivered = fixture(file);

  it('GuardDuty holds it exactly as delivered: confirmed', async () => {
    guardDutyHolds(guardDuty.mock, [heldFinding(delivered)]);
    const verdict = await confirmation(delivered, playbook);
    expect(verdict).toEqual({ id: FINDING_CONFIRMATION, blocks: false, reason: expect.stringMatching(new RegExp(`^${CONFIRMED_PREFIX} \\(detector ${DETECTOR_ID} in `)) });
  });

  it.each(rewrites.map((r) => [fieldName(r.path), JSON.stringify(r.forged ?? null), r] as const))('%s rewritten to %s: refused, the field named', async (name, forgedText, rewrite) => {
    const original = valueAt(delivered, rewrite.path);
    expect(original).not.toEqual(rewrite.forged);
    guardDutyHolds(guardDuty.mock, [heldFinding(delivered)]);
    const verdict = await confirmation(rewritten(delivered, rewrite.path, rewrite.forged), playbook);
    expect(verdict).toEqual({ id: FINDING_CONFIRMATION, blocks: true, reason: expect.stringContaining('the finding delivered is not the one GuardDuty') });
    const expected = rewrite.shown ?? `${name} is ${forgedText} in the finding delivered, ${JSON.stringify(original ?? null)} in GuardDuty`;
    expect(verdict.reason).toContain(expected);
  });
});

describe('what is and is not a difference', () => {
  const sequence = fixture('answer-sequence/compromised-credentials.event.json');

  it('a sequence resource named by its Security Hub spelling is GuardDuty’s own type: equal', async () => {
    const held = heldFinding(sequence);
    const heldSequence = held.Service!.Detection!.Sequence!;
    expect(heldSequence.Resources![1]).toMatchObject({ Uid: 'arn:aws:s3:::payroll-exports', ResourceType: 'AWS::S3::Bucket' });
    // As GuardDuty holds it: its own spelling (S3_BUCKET, ...) for every resource.
    const native = heldSequence.Resources!.map((r) => ({ ...r, ResourceType: guardDutyTypeNameOf(r.ResourceType) as FindingResourceType }));
    expect(native[1]!.ResourceType).toBe('S3_BUCKET');
    guardDutyHolds(guardDuty.mock, [{ ...held, Service: { ...held.Service, Detection: { Sequence: { ...heldSequence, Resources: native } } } }]);
    expect((await confirmation(sequence, 'answer-sequence')).blocks).toBe(false);
  });

  it('a bucket added to the delivery that GuardDuty does not hold: refused by the count', async () => {
    const finding = fixture('block-public-access/bucket-public-access-granted.event.json');
    guardDutyHolds(guardDuty.mock, [heldFinding(finding)]);
    const extra = rewritten(finding, ['resource', 's3BucketDetails', 1], { name: 'company-website', arn: 'arn:aws:s3:::company-website' });
    expect((await confirmation(extra, 'block-public-access')).reason).toContain('resource.s3BucketDetails.length is 2 in the finding delivered, 1 in GuardDuty');
  });

  it('remoteAccountDetails added to a delivery whose GuardDuty copy names no remote account: refused', async () => {
    const finding = fixture('revoke-credentials/exfiltration-s3-cross-account.event.json');
    const own = rewritten(finding, REMOTE, undefined);
    guardDutyHolds(guardDuty.mock, [heldFinding(own)]);
    expect((await confirmation(finding, 'revoke-credentials')).reason).toContain('service.action.awsApiCallAction.remoteAccountDetails.accountId is "999999999999" in the finding delivered, null in GuardDuty');
  });

  it('the exempt tag GuardDuty reports on the bucket, dropped from the delivery: refused (block-public-access decides by it)', async () => {
    const finding = fixture('block-public-access/bucket-public-access-granted.event.json');
    const tags = (finding.resource!.s3BucketDetails![0]!.tags ?? []).filter((t) => t.key !== 'ir:exempt');
    const exempt = rewritten(finding, ['resource', 's3BucketDetails', 0, 'tags'], [...tags, { key: 'ir:exempt', value: 'public website' }]);
    guardDutyHolds(guardDuty.mock, [heldFinding(exempt)]);
    expect((await confirmation(finding, 'block-public-access')).reason).toContain(
      'resource.s3BucketDetails[0].tags["ir:exempt"] is null in the finding delivered, "public website" in GuardDuty',
    );
    // Under the configured key, whatever it is; any other tag may differ.
    const custom = rewritten(finding, ['resource', 's3BucketDetails', 0, 'tags'], [...tags, { key: 'team:no-auto-response', value: '' }, { key: 'owner', value: 'web' }]);
    guardDutyHolds(guardDuty.mock, [heldFinding(custom)]);
    expect((await confirmation(finding, 'block-public-access', 'team:no-auto-response')).reason).toContain(
      'resource.s3BucketDetails[0].tags["team:no-auto-response"] is null in the finding delivered, "" in GuardDuty',
    );
    expect((await confirmation(rewritten(custom, ['resource', 's3BucketDetails', 0, 'tags', tags.length + 1, 'value'], 'other'), 'block-public-access', 'team:no-auto-response')).blocks).toBe(false);
  });

  it('a sequence rewritten throughout: every difference counted, the first ones spelled out', async () => {
    const first = sequence.service!.detection!.sequence!.resources![0];
    const keys = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => ({ ...first, uid: `${prefix}${String(i).padStart(2, '0')}` }));
    guardDutyHolds(guardDuty.mock, [heldFinding(rewritten(sequence, [...SEQUENCE, 'resources'], keys('AKIA2EXAMPLEGENUINE', 30)))]);
    const { reason } = await confirmation(rewritten(sequence, [...SEQUENCE, 'resources'], keys('AKIA2EXAMPLEFORGED0', 31)), 'answer-sequence');
    expect(reason).toContain('service.detection.sequence.resources.length is 31 in the finding delivered, 30 in GuardDuty');
    expect(reason).toContain('service.detection.sequence.resources[18].uid is "AKIA2EXAMPLEFORGED018" in the finding delivered, "AKIA2EXAMPLEGENUINE18" in GuardDuty');
    expect(reason).not.toContain('resources[19]');
    expect(reason.split('; ')).toHaveLength(MAX_DESCRIBED_DIFFERENCES + 1);
    expect(reason).toMatch(/; and 11 more differences$/);
  });

  it('fields that change during an incident (tags, security groups, counts) are not compared: GuardDuty may have updated its copy', async () => {
    const finding = fixture('contain-instance/crypto-bitcoin-tool.event.json');
    const held = heldFinding(finding);
    const instance = held.Resource!.InstanceDetails!;
    guardDutyHolds(guardDuty.mock, [
      {
        ...held,
        Resource: {
          ...held.Resource,
          InstanceDetails: { ...instance, Tags: [{ Key: 'IR:Incident', Value: 'inc-1' }], NetworkInterfaces: instance.NetworkInterfaces!.map((eni) => ({ ...eni, SecurityGroups: [{ GroupId: 'sg-0isolation0000001' }] })) },
        },
        Service: { ...held.Service, Count: 7 },
      },
    ]);
    expect((await confirmation(finding, 'contain-instance')).blocks).toBe(false);
  });
});
