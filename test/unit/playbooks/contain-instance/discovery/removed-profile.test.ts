import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { REVOKE_POLICY_NAME, revokeOlderSessionsPolicy } from '../../../../../lambda/iam/revoke-sessions';
import { instanceRestoreKey, RestoreLedger } from '../../../../../lambda/ledger/restore-record';
import { discoverInstance } from '../../../../../lambda/playbooks/contain-instance/discover';
import { known } from '../../../../../lambda/playbooks/contain-instance/facts';
import { planContainInstance } from '../../../../../lambda/playbooks/contain-instance/plan';
import { READ_RESTORE_RECORD } from '../../../../../lambda/playbooks/contain-instance/specs';
import { requiredIamActions } from '../../../../../lambda/playbooks/registry';
import { ReadLog } from '../../../../../lambda/plan/reads';
import { planningInput } from '../../../../support/aws-mocks/contain-facts';
import { containFinding, DNS_REBIND_TYPE, NOW } from '../../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { ACCOUNT_ID, awsError, defaultInstance, INSTANCE_ID, PROFILE_ARN, ROLE_NAME } from '../../../../support/aws-mocks/contain-world';

/*
 * A response that removed the instance profile but could not revoke its
 * role's sessions (PutRolePolicy throttled past every retry, or denied)
 * fails; the retry finds no profile attached. It reads the removed profile
 * back from the ledger's restore record, never from the instance's tags, and
 * revokes the role's sessions again, as of its own time.
 */

const h = useContainHarness();
const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'ledger-table';
const ledger = new RestoreLedger(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }), TABLE);
const KEY = instanceRestoreKey(ACCOUNT_ID, 'us-east-1', INSTANCE_ID);
const LATER = new Date(NOW.getTime() + 60_000);
const theft = containFinding({ type: DNS_REBIND_TYPE });

function recordItem(extra: Record<string, unknown> = {}) {
  return { Item: { pk: { S: KEY }, kind: { S: 'instance' }, resourceId: { S: INSTANCE_ID }, revision: { N: '2' }, instanceProfileArn: { S: PROFILE_ARN }, ...extra } };
}

/** The instance after the earlier response: no profile attached, none associated; an attacker's tag naming another profile. */
function profileRemoved(): void {
  const { IamInstanceProfile: _removed, ...instance } = defaultInstance();
  h.world.instance = { ...instance, Tags: [...(instance.Tags ?? []), { Key: 'ir:original-instance-profile', Value: 'arn:aws:iam::222222222222:instance-profile/attacker' }] };
  h.world.associationId = null;
}

async function discover() {
  const reads = new ReadLog();
  const facts = await discoverInstance(theft, h.clients, reads, { restoreLedger: ledger });
  return { facts, reads: reads.outcomes };
}

beforeEach(() => dynamodb.reset());

describe('contain-instance: the profile an earlier response removed', () => {
  it('is read from the restore record (one consistent GetItem), and its role read as an attached one is', async () => {
    profileRemoved();
    dynamodb.on(GetItemCommand).resolves(recordItem());
    const { facts, reads } = await discover();
    expect(dynamodb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([{ TableName: TABLE, Key: { pk: { S: KEY } }, ConsistentRead: true }]);
    expect(h.callsOf('GetInstanceProfile')).toEqual([{ InstanceProfileName: 'web-tier' }]);
    expect(facts.instanceProfile).toEqual({
      arn: PROFILE_ARN,
      role: known({ roleName: ROLE_NAME, path: '/', arn: `arn:aws:iam::${ACCOUNT_ID}:role/${ROLE_NAME}` }),
      sharedWith: known([]),
      removedEarlier: { restoreRecord: KEY },
    });
    expect(facts.profileAssociationId).toEqual(known(null));
    expect(reads.find((r) => r.id === `read:read-restore-record:${KEY}`)).toMatchObject({ action: 'dynamodb:GetItem', status: 'done' });
  });

  it('plans the revocation again, as of this response (exact request), and nothing to remove', async () => {
    profileRemoved();
    dynamodb.on(GetItemCommand).resolves(recordItem());
    const { facts } = await discover();
    {
      const plan = planContainInstance(planningInput(facts, { finding: theft, now: LATER }));
      const revoke = plan.steps.find((s) => s.id === 'revoke-role-sessions');
      expect(revoke?.parameters).toEqual({ RoleName: ROLE_NAME, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokeOlderSessionsPolicy(LATER) });
      expect(revoke?.title).toBe(`Revoke the active sessions of role ${ROLE_NAME} (of instance profile ${PROFILE_ARN}, which an earlier response removed)`);
      expect(revoke?.requires).toEqual(['record-restore:containment']);
      expect(plan.steps.some((s) => s.id === 'disassociate-instance-profile')).toBe(false);
      // The record already holds the profile: the containment record does not write it again.
      const record = plan.steps.find((s) => s.id === 'record-restore:containment');
      expect(record?.parameters.record).not.toHaveProperty('instanceProfileArn');
      expect(plan.resource.instanceProfile).toMatchObject({ arn: PROFILE_ARN, removedEarlier: { restoreRecord: KEY } });
    }
  });

  it('keeps the protections: a service-linked role is not revoked, and the plan says so', async () => {
    profileRemoved();
    h.world.role = { RoleName: 'AWSServiceRoleForSSM', Path: '/aws-service-role/ssm.amazonaws.com/', Arn: 'arn:aws:iam::222222222222:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForSSM', RoleId: 'AROA1', CreateDate: new Date(0) };
    dynamodb.on(GetItemCommand).resolves(recordItem());
    const plan = planContainInstance(planningInput((await discover()).facts, { finding: theft }));
    expect(plan.steps.some((s) => s.id === 'revoke-role-sessions')).toBe(false);
    expect(plan.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^The sessions of the instance's role are not revoked: role AWSServiceRoleForSSM is service-linked/)]));
  });

  it('is not taken from a released (closed) record, nor when there is no record: nothing to revoke', async () => {
    profileRemoved();
    dynamodb.on(GetItemCommand).resolvesOnce(recordItem({ closedAt: { S: '2026-01-01T00:00:00.000Z' } })).resolvesOnce({});
    for (let i = 0; i < 2; i += 1) {
      const { facts } = await discover();
      expect([facts.instanceProfile, facts.removedProfileUnread]).toEqual([null, undefined]);
      expect(planContainInstance(planningInput(facts, { finding: theft })).steps.some((s) => s.id === 'revoke-role-sessions')).toBe(false);
    }
    expect(h.callsOf('GetInstanceProfile')).toEqual([]);
  });

  it('a record that cannot be read is never silent: the plan warns that the sessions may not be revoked', async () => {
    profileRemoved();
    dynamodb.on(GetItemCommand).rejects(awsError('AccessDeniedException'));
    const { facts, reads } = await discover();
    expect(facts.removedProfileUnread).toBe('unreadable (GetItem failed with AccessDeniedException)');
    expect(reads.find((r) => r.id === `read:read-restore-record:${KEY}`)).toMatchObject({ status: 'failed', error: { code: 'AccessDeniedException' } });
    const plan = planContainInstance(planningInput(facts, { finding: theft }));
    expect(plan.warnings).toContain(
      `No instance profile is attached to ${INSTANCE_ID}, and the restore record is unreadable (GetItem failed with AccessDeniedException): ` +
        'if an earlier response removed one, the sessions of its role are not revoked.',
    );
  });

  it('is not read while a profile is attached, nor without a ledger', async () => {
    await discover();
    profileRemoved();
    await discoverInstance(theft, h.clients, new ReadLog());
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('the read is declared: the contain-instance role holds dynamodb:GetItem from it', () => {
    expect(READ_RESTORE_RECORD).toEqual({ kind: 'read-restore-record', iamActions: ['dynamodb:GetItem'], mutating: false });
    expect(requiredIamActions('contain-instance')).toContain('dynamodb:GetItem');
  });
});
