import {
  AssociateIamInstanceProfileCommand,
  DeleteTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { RELEASE_STEP_SPECS } from '../../../lambda/release/specs';

/*
 * A fake account holding one instance contain-instance has isolated: both
 * ENIs on the responder's isolation group, the record of their groups and
 * of the instance profile in its tags, the profile removed, two evidence
 * snapshots. Tests edit the world, then read what was sent.
 */

export const ACCOUNT_ID = '111122223333';
export const INSTANCE_ID = 'i-0123456789abcdef0';
export const PRIMARY_ENI = 'eni-0primary00000001';
export const SECONDARY_ENI = 'eni-0secondary000002';
export const ISOLATION_SG = 'sg-0isolate0000000a1';
export const PRIMARY_GROUPS = ['sg-0web000000000001', 'sg-0ssh000000000001'];
export const SECONDARY_GROUPS = ['sg-0db0000000000001'];
export const PROFILE_ARN = `arn:aws:iam::${ACCOUNT_ID}:instance-profile/web-tier`;
export const SNAPSHOTS = ['snap-0data0000000001', 'snap-0root0000000001'];

/** Every tag contain-instance writes on the instance, as it writes them. */
export const INCIDENT_TAGS: Readonly<Record<string, string>> = {
  [`ir:original-sgs:${PRIMARY_ENI}`]: PRIMARY_GROUPS.join(' '),
  [`ir:original-sgs:${SECONDARY_ENI}`]: SECONDARY_GROUPS.join(' '),
  'ir:original-instance-profile': PROFILE_ARN,
  'ir:incident-id': 'ir-0123456789abcdef',
  'ir:finding-id': 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
  'ir:finding-type': 'UnauthorizedAccess:EC2/MetadataDNSRebind',
  'ir:severity': '8',
  'ir:isolated-at': '2026-11-22T08:00:00.000Z',
};

/** Tags that are not the containment's: a release leaves them, `ir:` prefix or not. */
export const OTHER_TAGS: Readonly<Record<string, string>> = { Name: 'web-01', env: 'prod', 'ir:runbook': 'https://wiki.example/ir' };

export interface ReleaseWorld {
  /** null: DescribeInstances answers with no reservation. */
  instance: Instance | null;
  tags: Record<string, string>;
  /** The profile associated now, if any. */
  associatedProfileArn: string | null;
  snapshotIds: string[];
  /** Calls to fail, by command name without `Command`. */
  failures: Map<string, Error>;
  /** Each call, in the order it was sent. */
  log: { command: string; input: Record<string, unknown> }[];
}

export function awsError(code: string, message = `${code} (test)`, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode } });
}

const isolationGroup = { GroupId: ISOLATION_SG, GroupName: 'guardduty-ir-isolation' };

export function isolatedInstance(): Instance {
  return {
    InstanceId: INSTANCE_ID,
    State: { Name: 'running', Code: 16 },
    NetworkInterfaces: [
      // Out of device order on purpose: the plan follows the device order.
      { NetworkInterfaceId: SECONDARY_ENI, Attachment: { DeviceIndex: 1 }, Groups: [isolationGroup] },
      { NetworkInterfaceId: PRIMARY_ENI, Attachment: { DeviceIndex: 0 }, Groups: [isolationGroup] },
    ],
  };
}

export function defaultReleaseWorld(): ReleaseWorld {
  return {
    instance: isolatedInstance(),
    tags: { ...OTHER_TAGS, ...INCIDENT_TAGS },
    associatedProfileArn: null,
    snapshotIds: [...SNAPSHOTS],
    failures: new Map(),
    log: [],
  };
}

const mockEc2 = () => mockClient(EC2Client);
export type ReleaseMock = ReturnType<typeof mockEc2>;

/** Answers the calls a release makes from the world; `mock` is reset first. */
export function answerRelease(mock: ReleaseMock, world: () => ReleaseWorld): void {
  mock.reset();
  const answer =
    <T>(name: string, respond: (input: Record<string, unknown>) => T) =>
    async (input: Record<string, unknown>): Promise<T> => {
      const w = world();
      w.log.push({ command: name, input });
      const failure = w.failures.get(name);
      if (failure) throw failure;
      return respond(input);
    };
  mock.on(DescribeInstancesCommand).callsFake(
    answer('DescribeInstances', () => {
      const { instance, tags } = world();
      return { Reservations: instance ? [{ Instances: [{ ...instance, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] }] : [] };
    }),
  );
  mock.on(DescribeIamInstanceProfileAssociationsCommand).callsFake(
    answer('DescribeIamInstanceProfileAssociations', () => {
      const arn = world().associatedProfileArn;
      return { IamInstanceProfileAssociations: arn ? [{ AssociationId: 'iip-assoc-0now', InstanceId: INSTANCE_ID, IamInstanceProfile: { Arn: arn }, State: 'associated' }] : [] };
    }),
  );
  mock.on(DescribeSnapshotsCommand).callsFake(answer('DescribeSnapshots', () => ({ Snapshots: world().snapshotIds.map((SnapshotId) => ({ SnapshotId })) })));
  mock.on(ModifyNetworkInterfaceAttributeCommand).callsFake(answer('ModifyNetworkInterfaceAttribute', () => ({})));
  mock.on(AssociateIamInstanceProfileCommand).callsFake(
    answer('AssociateIamInstanceProfile', () => ({ IamInstanceProfileAssociation: { AssociationId: 'iip-assoc-0restored', State: 'associating' } })),
  );
  mock.on(DeleteTagsCommand).callsFake(answer('DeleteTags', () => ({})));
}

export function callsOf(world: ReleaseWorld, command: string): Record<string, unknown>[] {
  return world.log.filter((c) => c.command === command).map((c) => c.input);
}

/** Commands a release may send without changing anything. */
export const READ_ONLY_COMMANDS = ['DescribeInstances', 'DescribeIamInstanceProfileAssociations', 'DescribeSnapshots'];

/** Calls whose action no release step kind declares: whoever runs a release could not be granted them from the declarations. */
export function undeclaredReleaseCalls(world: ReleaseWorld): string[] {
  const declared = new Set<string>(RELEASE_STEP_SPECS.flatMap((spec) => spec.iamActions));
  return [...new Set(world.log.map((c) => `ec2:${c.command}`))].filter((action) => !declared.has(action));
}

/** A fresh world before each test, the mock answering from it, and the declaration check after each test. */
export function useReleaseWorld(): { readonly world: ReleaseWorld; readonly mock: ReleaseMock } {
  const mock = mockEc2();
  let world = defaultReleaseWorld();
  beforeEach(() => {
    world = defaultReleaseWorld();
    answerRelease(mock, () => world);
  });
  afterEach(() => {
    expect(undeclaredReleaseCalls(world)).toEqual([]);
  });
  afterAll(() => mock.restore());
  return {
    get world() {
      return world;
    },
    mock,
  };
}
