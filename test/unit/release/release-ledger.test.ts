import { AttachInstancesCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { resourceKey } from '../../../lambda/ledger/resource-incidents';
import { ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { RestoreLedger } from '../../../lambda/ledger/restore-record';
import { parseRestoreParts } from '../../../lambda/release/parts';
import { releaseInstance, type ReleaseOptions } from '../../../lambda/release/release';
import { releaseFailed, releaseTrailShort, type ReleaseReport } from '../../../lambda/release/report';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ChatbotNotification } from '../../../lambda/notify/chat';
import { RELEASE_STEP_SPECS } from '../../../lambda/release/specs';
import {
  ACCOUNT_ID,
  callsOf,
  INCIDENT_TAGS,
  INSTANCE_ID,
  OTHER_TAGS,
  PRIMARY_ENI,
  PRIMARY_GROUPS,
  PROFILE_ARN,
  READ_ONLY_COMMANDS,
  SECONDARY_ENI,
  SECONDARY_GROUPS,
  useReleaseWorld,
} from '../../support/aws-mocks/release-world';

/*
 * `ir release` with the ledger: the restore record is read first and is
 * the record, tags or no tags; the release restores what the operator
 * chose, is recorded in the ledger on the revision it read, and is notified.
 */

const h = useReleaseWorld();
const NOW = new Date('2026-11-23T10:00:00.000Z');
const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:999988887777:guardduty-ir';
const KEY = `restore#${ACCOUNT_ID}#us-east-1#${INSTANCE_ID}`;
const RESOURCE = `ec2-instance/${ACCOUNT_ID}/us-east-1/${INSTANCE_ID}`;
const RESOURCE_PK = resourceKey(RESOURCE).pk!.S!;
const OPERATOR = `arn:aws:iam::${ACCOUNT_ID}:user/alice`;
const dynamodb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const sns = mockClient(SNSClient);
const autoScaling = mockClient(AutoScalingClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);

/** The record contain-instance wrote: the ENIs' groups, the profile, the Auto Scaling and target groups, termination protection off. */
function ledgerItem(extra: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  return {
    pk: { S: KEY },
    kind: { S: 'instance' },
    resourceId: { S: INSTANCE_ID },
    incidentId: { S: 'ir-0123456789abcdef' },
    revision: { N: '2' },
    [`sgs:${PRIMARY_ENI}`]: { L: PRIMARY_GROUPS.map((S) => ({ S })) },
    [`sgs:${SECONDARY_ENI}`]: { L: SECONDARY_GROUPS.map((S) => ({ S })) },
    'volume:/dev/xvda': { M: { volumeId: { S: 'vol-0root00000000001' }, deleteOnTermination: { BOOL: true } } },
    instanceProfileArn: { S: PROFILE_ARN },
    autoScalingGroup: { S: 'web-asg' },
    'tg:arn:tg/web': { L: [{ N: '80' }, { N: '8080' }] },
    terminationProtection: { BOOL: false },
    ...extra,
  };
}

let item: Record<string, AttributeValue> | undefined;

beforeEach(() => {
  for (const mock of [dynamodb, sts, sns, autoScaling, elbv2]) mock.reset();
  item = ledgerItem();
  // The restore record; the instance's incident pointer (lambda/ledger/resource-incidents.ts) names its incident.
  dynamodb.on(GetItemCommand).callsFake((input: { Key?: { pk?: { S?: string } } }) =>
    input.Key?.pk?.S === RESOURCE_PK ? { Item: { pk: { S: RESOURCE_PK }, incidentId: { S: 'ir-0123456789abcdef' }, resource: { S: RESOURCE } } } : { Item: item },
  );
  dynamodb.on(UpdateItemCommand).resolves({});
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT_ID, Arn: OPERATOR });
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  autoScaling.on(AttachInstancesCommand).resolves({});
  elbv2.on(RegisterTargetsCommand).resolves({});
  h.mock.on(ModifyInstanceAttributeCommand).callsFake((input: Record<string, unknown>) => {
    h.world.log.push({ command: 'ModifyInstanceAttribute', input });
    return {};
  });
});
afterAll(() => [dynamodb, sts, sns, autoScaling, elbv2].forEach((mock) => mock.restore()));

function release(options: Partial<ReleaseOptions> = {}): Promise<ReleaseReport> {
  const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
  return releaseInstance(INSTANCE_ID, {
    clients,
    region: 'us-east-1',
    dryRun: false,
    now: () => NOW,
    ledger: new RestoreLedger(clients.dynamodb, TABLE, () => NOW),
    notify: { sns: clients.sns, topicArn: TOPIC },
    ...options,
  });
}

const mutatingCalls = () => h.world.log.filter((c) => !READ_ONLY_COMMANDS.includes(c.command)).map((c) => c.command);

describe('ir release from the ledger', () => {
  it('with no tag on the instance at all restores everything the record holds, records the release, closes the record and notifies', async () => {
    h.world.tags = { ...OTHER_TAGS };
    const report = await release();
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({ TableName: TABLE, Key: { pk: { S: KEY } }, ConsistentRead: true });
    expect(report).toMatchObject({ refused: null, recordSource: 'ledger', summary: { done: 6, skipped: 0, failed: 0 } });
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: SECONDARY_GROUPS },
    ]);
    expect(callsOf(h.world, 'AssociateIamInstanceProfile')).toEqual([{ InstanceId: INSTANCE_ID, IamInstanceProfile: { Arn: PROFILE_ARN } }]);
    expect(callsOf(h.world, 'ModifyInstanceAttribute')).toEqual([{ InstanceId: INSTANCE_ID, DisableApiTermination: { Value: false } }]);
    expect(autoScaling.commandCalls(AttachInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: [INSTANCE_ID], AutoScalingGroupName: 'web-asg' }]);
    expect(elbv2.commandCalls(RegisterTargetsCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArn: 'arn:tg/web', Targets: [{ Id: INSTANCE_ID, Port: 80 }, { Id: INSTANCE_ID, Port: 8080 }] },
    ]);
    // No incident tag to remove: none was ever written.
    expect(callsOf(h.world, 'DeleteTags')).toEqual([]);

    // The instance's incident is closed first (its item, then the pointer still naming it), then the release recorded.
    const writes = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(writes.map((w) => [w.Key, w.UpdateExpression, w.ConditionExpression])).toEqual([
      [{ pk: { S: 'incident#ir-0123456789abcdef' } }, 'SET closedAt = :at', 'attribute_exists(pk)'],
      [{ pk: { S: RESOURCE_PK } }, 'SET closedAt = :at', 'incidentId = :incidentId'],
      [{ pk: { S: KEY } }, expect.any(String), 'revision = :revision AND attribute_not_exists(closedAt)'],
    ]);
    expect(dynamodb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toContainEqual({ TableName: TABLE, Key: { pk: { S: RESOURCE_PK } }, ConsistentRead: true });
    const write = writes[2]!;
    expect(write.ExpressionAttributeValues![':revision']).toEqual({ N: '2' });
    expect(write.ExpressionAttributeValues![':released']!.M).toMatchObject({ by: { S: OPERATOR }, closed: { BOOL: true } });
    expect(write.UpdateExpression).toContain('closedAt = :at');
    expect(report.ledger).toEqual({ table: TABLE, key: KEY, status: 'recorded', closed: true, at: NOW.toISOString(), incident: { status: 'closed', incidentId: 'ir-0123456789abcdef' } });

    const publish = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(publish).toMatchObject({ TopicArn: TOPIC, Subject: `[GuardDuty IR] Released: instance ${INSTANCE_ID} (us-east-1)` });
    expect(publish.Message).toContain(`  Ledger: ${TABLE}, ${KEY}: recorded, closed (the next finding opens a new incident)`);
    expect(publish.Message).toContain('  Incident: incident ir-0123456789abcdef closed: the next finding about the resource opens a new incident');
    expect(report.notification).toEqual({ topicArn: TOPIC, status: 'sent', subject: publish.Subject, messageId: 'msg-1' });
    expect(releaseFailed(report)).toBe(false);
  });

  it("when the instance's incident cannot be closed, the release is recorded NOT closed (a second release closes both), named, and fails", async () => {
    h.world.tags = { ...OTHER_TAGS };
    dynamodb.on(UpdateItemCommand).callsFake((input: { Key?: { pk?: { S?: string } } }) => {
      if (input.Key?.pk?.S?.startsWith('incident#')) throw Object.assign(new Error('not authorized to perform dynamodb:UpdateItem'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
      return {};
    });
    const report = await release();
    expect(report.summary.failed).toBe(0);
    expect(report.ledger).toMatchObject({ status: 'recorded', closed: false, incident: { status: 'failed', error: { code: 'AccessDeniedException' } } });
    const restoreWrite = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).find((w) => w.Key?.pk?.S === KEY)!;
    expect(restoreWrite.UpdateExpression).not.toContain('closedAt');
    const message = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    expect(message).toContain("  Incident: the resource's incident could NOT be closed (AccessDeniedException");
    expect(message.split('\n')[0]).toBe("ATTENTION: the resource's incident could NOT be closed: run the release again.");
    expect(releaseFailed(report)).toBe(true);
  });

  it('where the tags disagree, the ledger wins and the report says so; a tag never adds a group', async () => {
    h.world.tags = { ...OTHER_TAGS, ...INCIDENT_TAGS, [`ir:original-sgs:${PRIMARY_ENI}`]: 'sg-0attacker00000001' };
    const report = await release();
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')[0]).toEqual({ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS });
    expect(report.warnings).toContain(
      `The tag of ${PRIMARY_ENI} says "sg-0attacker00000001", the ledger "${PRIMARY_GROUPS.join(' ')}": the ledger wins (the tag is not applied). Find out who tagged the instance.`,
    );
    // The incident tags still go, once every restore is done.
    expect(callsOf(h.world, 'DeleteTags')).toHaveLength(1);
  });

  it('--only groups,profile restores just those, keeps the record open and says what it left', async () => {
    const only = parseRestoreParts('groups,profile');
    if ('error' in only) throw new Error(only.error);
    const report = await release({ only: only.parts });
    expect(report.steps.map((s) => s.id)).toEqual([`restore-groups:${PRIMARY_ENI}`, `restore-groups:${SECONDARY_ENI}`, 'restore-instance-profile', 'remove-incident-tags']);
    expect(autoScaling.commandCalls(AttachInstancesCommand)).toEqual([]);
    expect(elbv2.commandCalls(RegisterTargetsCommand)).toEqual([]);
    expect(callsOf(h.world, 'ModifyInstanceAttribute')).toEqual([]);
    expect(report.warnings).toContain('Not restored (--only): asg, target-groups, termination-protection.');
    const write = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(write.UpdateExpression).not.toContain('closedAt');
    expect(report.ledger).toMatchObject({ status: 'recorded', closed: false });
  });

  it('--only asg leaves the instance isolated and its incident tags on', async () => {
    const only = parseRestoreParts('asg');
    if ('error' in only) throw new Error(only.error);
    const report = await release({ only: only.parts });
    expect(report.steps.map((s) => s.id)).toEqual(['restore-auto-scaling-group']);
    expect(mutatingCalls()).toEqual([]);
    expect(report.warnings).toContain(`The incident tags stay on ${INSTANCE_ID}: its security groups were not chosen for restoring, so it is still isolated.`);
  });

  it('rejects an --only part it does not know', () => {
    expect(parseRestoreParts('groups,everything')).toEqual({ error: '--only: "everything" is not one of groups, profile, asg, target-groups, termination-protection' });
  });

  it('--dry-run reads the ledger and plans every restore, and changes, records and sends nothing', async () => {
    const report = await release({ dryRun: true });
    expect(report.steps.every((s) => s.status === 'skipped' && s.reason === 'blocked by dry-run')).toBe(true);
    expect(report.steps.map((s) => s.id)).toContain('restore-auto-scaling-group');
    expect(mutatingCalls()).toEqual([]);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toEqual([]);
    expect(autoScaling.commandCalls(AttachInstancesCommand)).toEqual([]);
    expect(report).toMatchObject({ ledger: null, notification: null, recordSource: 'ledger' });
  });

  it('termination protection that was on before the containment stays on', async () => {
    item = ledgerItem({ terminationProtection: { BOOL: true } });
    const report = await release();
    expect(report.steps.map((s) => s.id)).not.toContain('restore-termination-protection');
    expect(callsOf(h.world, 'ModifyInstanceAttribute')).toEqual([]);
  });

  it('a record already released is refused, and nothing is changed or recorded', async () => {
    item = ledgerItem({ closedAt: { S: '2026-11-23T09:00:00.000Z' }, released: { M: { at: { S: '2026-11-23T09:00:00.000Z' }, by: { S: 'bob' } } } });
    const report = await release();
    expect(report.refused).toBe(`the restore record ${KEY} was released at 2026-11-23T09:00:00.000Z by bob, and no containment was recorded since: nothing to release, nothing was changed`);
    expect(mutatingCalls()).toEqual([]);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toEqual([]);
  });

  it('no record in the ledger: refused, even with a record in the tags, unless --from-tags; then the release creates a closed record', async () => {
    item = undefined;
    const refused = await release();
    expect(refused.refused).toMatch(new RegExp(`^the ledger ${TABLE} holds no restore record of ${INSTANCE_ID} \\(${KEY}\\): nothing was changed\\. .*pass --from-tags`));
    expect(mutatingCalls()).toEqual([]);

    const report = await release({ fromTags: true });
    expect(report).toMatchObject({ refused: null, recordSource: 'tags' });
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')).toHaveLength(2);
    expect(dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).find((w) => w.Key?.pk?.S === KEY)!.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('an unreadable ledger refuses the release: the tags are never enough when the ledger cannot be asked', async () => {
    dynamodb.on(GetItemCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const report = await release();
    expect(report.refused).toBe(`the restore record ${KEY} could not be read from the ledger ${TABLE} (AccessDeniedException: denied): nothing was changed`);
    expect(mutatingCalls()).toEqual([]);
    expect(releaseFailed(report)).toBe(true);
  });

  it('a release that lost the race to another is reported as not recorded, and fails', async () => {
    dynamodb.on(UpdateItemCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
        Item: ledgerItem({ released: { M: { at: { S: '2026-11-23T09:59:59.000Z' }, by: { S: 'bob' }, token: { S: 'other' } } } }),
      }),
    );
    const report = await release();
    expect(report.ledger).toMatchObject({ status: 'conflict', detail: expect.stringContaining('released at 2026-11-23T09:59:59.000Z by bob') });
    expect(releaseFailed(report)).toBe(true);
  });

  it('declares every call it makes', () => {
    const declared = new Set(RELEASE_STEP_SPECS.flatMap((spec) => spec.iamActions));
    for (const action of ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'sts:GetCallerIdentity', 'sns:Publish', 'autoscaling:AttachInstances', 'elasticloadbalancing:RegisterTargets', 'ec2:ModifyInstanceAttribute']) {
      expect([action, declared.has(action as never)]).toEqual([action, true]);
    }
  });
});

describe('ir release keeps its record in the evidence bucket and notifies the topic and the chat topic', () => {
  const s3 = mockClient(S3Client);
  const BUCKET = 'ir-evidence-bucket';
  const KEY_ARN = 'arn:aws:kms:us-east-1:999988887777:key/11111111-2222-3333-4444-555555555555';
  const CHAT_TOPIC = 'arn:aws:sns:us-east-1:999988887777:guardduty-ir-chat';
  const EVIDENCE_KEY = `incidents/${ACCOUNT_ID}/us-east-1/ir-0123456789abcdef/releases/2026-11-23T100000.000Z-release.json`;
  beforeEach(() => {
    s3.reset();
    s3.on(PutObjectCommand).resolves({ VersionId: 'v-1' });
    h.world.tags = { ...OTHER_TAGS };
  });
  afterAll(() => s3.restore());

  function trailed(options: Partial<ReleaseOptions> = {}): Promise<ReleaseReport> {
    const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
    return release({
      evidence: { destination: { bucket: BUCKET, keyArn: KEY_ARN, region: 'us-east-1', s3: () => Promise.resolve(clients.s3) } },
      notify: { sns: clients.sns, topicArn: TOPIC, chatTopicArn: CHAT_TOPIC },
      ...options,
    });
  }

  it("writes one object under the incident's folder, SSE-KMS under the stack's key, holding the report, the restore record and the operator", async () => {
    const report = await trailed();
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(1);
    const { Body, ...put } = puts[0]!;
    expect(put).toEqual({
      Bucket: BUCKET,
      Key: EVIDENCE_KEY,
      ContentType: 'application/json; charset=utf-8',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY_ARN,
      ChecksumAlgorithm: 'SHA256',
    });
    const kept = JSON.parse(String(Body)) as { release: { steps: { status: string }[] } };
    expect(kept).toMatchObject({
      kind: 'instance-release',
      writtenAt: NOW.toISOString(),
      releasedBy: OPERATOR,
      accountId: ACCOUNT_ID,
      region: 'us-east-1',
      instanceId: INSTANCE_ID,
      incidentId: 'ir-0123456789abcdef',
      restoreRecord: { key: KEY, revision: 2, instanceProfileArn: PROFILE_ARN, autoScalingGroup: 'web-asg', incidentId: 'ir-0123456789abcdef' },
      release: { instanceId: INSTANCE_ID, recordSource: 'ledger', summary: { done: 6, failed: 0 }, ledger: { status: 'recorded', closed: true } },
    });
    expect(kept.release.steps.map((s) => s.status)).toEqual(Array(6).fill('done'));
    expect(report.evidence).toMatchObject({
      id: 'evidence:release.json',
      action: 's3:PutObject',
      iamActions: ['s3:PutObject', 'kms:GenerateDataKey'],
      status: 'done',
      target: `s3://${BUCKET}/${EVIDENCE_KEY}`,
      detail: `s3://${BUCKET}/${EVIDENCE_KEY} (version v-1)`,
      parameters: { Bucket: BUCKET, Key: EVIDENCE_KEY, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN },
    });
    expect(releaseFailed(report)).toBe(false);
    expect(releaseTrailShort(report)).toBe(false);
  });

  it('publishes one note to the topic (email text) and to the chat topic (AWS Chatbot JSON), both naming the evidence', async () => {
    const report = await trailed();
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.TopicArn).sort()).toEqual([TOPIC, CHAT_TOPIC].sort());
    const email = published.find((p) => p.TopicArn === TOPIC)!;
    const chat = published.find((p) => p.TopicArn === CHAT_TOPIC)!;
    const subject = `[GuardDuty IR] Released: instance ${INSTANCE_ID} (us-east-1)`;
    expect([email.Subject, chat.Subject]).toEqual([subject, subject]);
    expect(email.Message!.split('\n')[0]).toBe(`Summary: ${INSTANCE_ID} in ${ACCOUNT_ID}/us-east-1 released by ${OPERATOR}, from the ledger: 6 done, 0 skipped, 0 failed`);
    expect(email.Message).toContain(`  Evidence: s3://${BUCKET}/${EVIDENCE_KEY} (version v-1)`);
    const card = JSON.parse(chat.Message!) as ChatbotNotification;
    expect(card).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: `:arrows_counterclockwise: RELEASED: instance ${INSTANCE_ID} in ${ACCOUNT_ID}/us-east-1` },
      metadata: { threadId: 'ir-0123456789abcdef', summary: subject, eventType: 'GuardDutyIncidentRelease', relatedResources: [INSTANCE_ID] },
    });
    // Every value is chat-escaped, ours included: a scheme is defanged so the client links nothing.
    expect(card.content.description).toContain(`Evidence: s3[:]//${BUCKET}/${EVIDENCE_KEY} (version v-1)`);
    expect(report.notification).toMatchObject({ topicArn: TOPIC, status: 'sent' });
    expect(report.chatNotification).toMatchObject({ topicArn: CHAT_TOPIC, status: 'sent' });
  });

  it('a failed write is a failed step with the AWS code: the release stands (recorded, notified), its trail is short (exit 3), the note says so first', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('not authorized to perform kms:GenerateDataKey'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const report = await trailed();
    expect(report.summary.failed).toBe(0);
    expect(report.ledger).toMatchObject({ status: 'recorded', closed: true });
    expect(report.evidence).toMatchObject({ status: 'failed', error: { code: 'AccessDenied', message: 'not authorized to perform kms:GenerateDataKey' } });
    expect(releaseFailed(report)).toBe(false);
    expect(releaseTrailShort(report)).toBe(true);
    const email = sns.commandCalls(PublishCommand).map((c) => c.args[0].input).find((p) => p.TopicArn === TOPIC)!;
    expect(email.Message!.split('\n')[0]).toBe('ATTENTION: its record could NOT be kept in the evidence bucket (AccessDenied).');
    expect(email.Message).toContain(`  FAILED  Keep the record of the release [s3:PutObject on s3://${BUCKET}/${EVIDENCE_KEY}] -- AccessDenied: not authorized to perform kms:GenerateDataKey`);
  });

  it('a chat copy that could not be posted holds the email back in nothing: the release stands, its trail is short (exit 3)', async () => {
    sns.on(PublishCommand, { TopicArn: CHAT_TOPIC }).rejects(Object.assign(new Error('denied'), { name: 'AuthorizationError', $metadata: { httpStatusCode: 403 } }));
    const report = await trailed();
    expect(report.notification).toMatchObject({ topicArn: TOPIC, status: 'sent', messageId: 'msg-1' });
    expect(report.chatNotification).toMatchObject({ topicArn: CHAT_TOPIC, status: 'failed', error: { code: 'AuthorizationError' } });
    expect(releaseFailed(report)).toBe(false);
    expect(releaseTrailShort(report)).toBe(true);
  });

  it('a dry-run writes nothing and says so, showing where the record would go', async () => {
    const report = await trailed({ dryRun: true });
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toEqual([]);
    expect(report.evidence).toMatchObject({ status: 'skipped', reason: 'dry-run: nothing is recorded', target: `s3://${BUCKET}/${EVIDENCE_KEY}` });
  });

  it('a refused release keeps nothing and says why', async () => {
    item = ledgerItem({ closedAt: { S: '2026-11-22T10:00:00.000Z' } });
    const report = await trailed();
    expect(report.refused).not.toBeNull();
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    expect(report.evidence).toMatchObject({ status: 'skipped', reason: 'the release was refused: nothing was changed, nothing to keep' });
  });

  it('declares the evidence write: s3:PutObject and kms:GenerateDataKey', () => {
    const declared = new Set(RELEASE_STEP_SPECS.flatMap((spec) => spec.iamActions));
    expect(['s3:PutObject', 'kms:GenerateDataKey'].filter((action) => !declared.has(action as never))).toEqual([]);
  });
});
