import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { AttachNetworkInterfaceCommand, CreateNetworkInterfaceCommand, DetachNetworkInterfaceCommand } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { applyDecision, type AppliedDecision } from '../../../lambda/approval/apply-decision';
import type { Decision } from '../../../lambda/approval/decisions';
import type { OneTimeSchedule, ScheduleWriter } from '../../../lambda/approval/schedules';
import { approvalSchema, type ApprovalConfig } from '../../../lambda/approval/schema';
import { sdkClientConfig } from '../../../lambda/aws/clients';
import { CONTAIN_INSTANCE } from '../../../lambda/handlers/contain-instance';
import type { Report } from '../../../lambda/plan/document';
import type { ResumeOutcome } from '../../../lambda/respond/resume';
import { handleEvent } from '../../../lambda/runtime/handle';
import type { PlaybookEntry } from '../../../lambda/runtime/playbook-entry';
import { EMULATOR_REGION, emulatorClientOptions } from '../../../emulator/clients';
import { launchInstance } from '../../../emulator/seed/instances';
import type { SeededInstance } from '../../../emulator/seed/instances';
import type { EmulatedAccount } from './account';
import { describeInstance, groupsByEni } from './ec2-state';
import { instanceFindingEvent, newFindingId } from './findings';
import { handlerContext, handlerEnvironment, LEDGER_TABLE, startHandlerBench, type HandlerBench } from './handler-bench';
import { readInbox, type Notification } from './inbox';

/*
 * The approval policy end to end through contain-instance's real Lambda
 * handler (lambda/runtime/handle.ts), against the emulator: the policy
 * (config `approval`) holds the isolation of instances tagged env=prod; the
 * pending approval, the incident and the decision in moto's DynamoDB, the
 * evidence in moto's S3, the notifications and the escalation on moto's SNS
 * (read from SQS queues subscribed to them).
 *
 * Not against the emulator: the schedules (EventBridge Scheduler). They go
 * through the ScheduleWriter port, recorded here; the test sends the event a
 * schedule would send, at the time it would send it.
 */

export const SCHEDULE_GROUP = 'ir-approvals';
export const SCHEDULER_ROLE = 'arn:aws:iam::123456789012:role/ir-approval-scheduler';
export const EVIDENCE_BUCKET = 'ir-approval-evidence';
export const PLAYBOOK_FUNCTION = 'ir-contain-instance';

/** Isolating a production instance waits for a person: a tag rule may only tighten the policy. */
export function prodIsolationPolicy(overrides: Partial<Pick<ApprovalConfig, 'onTimeout' | 'timeoutMinutes' | 'escalateMinutesBefore'>> = {}): ApprovalConfig {
  return approvalSchema.parse({ rules: [{ id: 'prod-isolation', class: 'isolate', mode: 'approve', match: { tags: { env: 'prod' } } }], ...overrides });
}

export interface ApprovalBench {
  readonly bench: HandlerBench;
  readonly account: EmulatedAccount;
  /** Every schedule the responses created, in order. */
  readonly schedules: OneTimeSchedule[];
  readonly escalationTopicArn: string;
  /** The contain-instance handler with the policy, as its Lambda runs it. */
  invoke(event: unknown, policy?: ApprovalConfig): Promise<Report | Report[] | ResumeOutcome>;
  /** A finding about the instance, through the handler: the first response. */
  respond(instance: SeededInstance, policy?: ApprovalConfig): Promise<Report>;
  /** A decision as every channel applies it (lambda/approval/apply-decision.ts): the ledger, the evidence, the playbook queued. */
  decide(decision: Decision): Promise<AppliedDecision>;
  /** What the escalation topic received since the last read. */
  escalations(): Promise<Notification[]>;
  /** A new instance (tagged env=prod) with an incident of its own. */
  launch(name: string): Promise<SeededInstance>;
  /** The decision and report objects kept in the evidence bucket for the incident, by key. */
  evidence(incidentId: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startApprovalBench(): Promise<ApprovalBench> {
  const bench = await startHandlerBench();
  const { account } = bench;
  const schedules: OneTimeSchedule[] = [];
  const writer: ScheduleWriter = {
    create: (schedule) => {
      schedules.push(schedule);
      return Promise.resolve();
    },
    delete: () => Promise.resolve(),
  };
  const entry: PlaybookEntry = { ...CONTAIN_INSTANCE, scheduleWriter: () => writer };
  await account.clients.s3.send(new CreateBucketCommand({ Bucket: EVIDENCE_BUCKET }));
  const escalation = await subscribedQueue(account, 'ir-escalation');
  const invoke = (event: unknown, policy: ApprovalConfig = prodIsolationPolicy()) =>
    handleEvent(
      event,
      // A fresh invocation: contain-instance's whole timeout ahead (90 s, lib/playbook-function.ts).
      handlerContext(account, { remainingMs: 90_000 }),
      entry,
      handlerEnvironment(account, {
        config: { approval: policy },
        environment: {
          approval: { scheduleGroup: SCHEDULE_GROUP, schedulerRoleArn: SCHEDULER_ROLE, escalationTopicArn: escalation.topicArn },
          evidence: { bucket: EVIDENCE_BUCKET, region: EMULATOR_REGION },
        },
      }),
    );
  const options = emulatorClientOptions(account.endpoint);
  const lambda = new LambdaClient(sdkClientConfig(options));
  return {
    bench,
    account,
    schedules,
    escalationTopicArn: escalation.topicArn,
    invoke,
    respond: async (instance, policy) => (await invoke(instanceFindingEvent(account.seed, instance, { id: newFindingId() }), policy)) as Report,
    decide: (decision) =>
      applyDecision(
        {
          ledger: { dynamodb: bench.dynamodb, table: LEDGER_TABLE },
          evidence: { bucket: EVIDENCE_BUCKET, region: EMULATOR_REGION, s3: () => Promise.resolve(account.clients.s3) },
          lambda,
          playbookFunctions: { 'contain-instance': PLAYBOOK_FUNCTION },
        },
        decision,
      ),
    escalations: () => readInbox(account.sqs, escalation.queueUrl),
    launch: (name) => launchInstance(account.clients.ec2, account.seed.network, { name }),
    evidence: (incidentId) => evidenceOf(account, incidentId),
    close: () => bench.close(),
  };
}

async function subscribedQueue(account: EmulatedAccount, name: string): Promise<{ topicArn: string; queueUrl: string }> {
  const topic = await account.clients.sns.send(new CreateTopicCommand({ Name: name }));
  const queue = await account.sqs.send(new CreateQueueCommand({ QueueName: `${name}-inbox` }));
  const attributes = await account.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
  await account.clients.sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: attributes.Attributes!.QueueArn }));
  return { topicArn: topic.TopicArn!, queueUrl: queue.QueueUrl! };
}

/** Every JSON object whose key names the incident (its folder's segment), parsed. */
async function evidenceOf(account: EmulatedAccount, incidentId: string): Promise<Record<string, unknown>> {
  const { Contents = [] } = await account.clients.s3.send(new ListObjectsV2Command({ Bucket: EVIDENCE_BUCKET }));
  const segment = incidentId.replace(/[^A-Za-z0-9._-]/g, '_');
  const kept: Record<string, unknown> = {};
  for (const object of Contents) {
    const key = object.Key ?? '';
    if (!key.endsWith('.json') || !(key.includes(`/${incidentId}/`) || key.includes(`/${segment}/`))) continue;
    const body = await (await account.clients.s3.send(new GetObjectCommand({ Bucket: EVIDENCE_BUCKET, Key: key }))).Body!.transformToString();
    kept[key] = JSON.parse(body) as unknown;
  }
  return kept;
}

/** The security groups on each of the instance's network interfaces. */
export async function groupsOf(account: EmulatedAccount, instanceId: string): Promise<Record<string, string[]>> {
  return groupsByEni(await describeInstance(account.clients.ec2, instanceId));
}

/** A second network interface, attached at device index 1: the instance has one more way in or out. */
export async function attachSecondEni(account: EmulatedAccount, instanceId: string): Promise<string> {
  const { network } = account.seed;
  const eni = await account.clients.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: network.subnetIds[1], Groups: [network.securityGroups.database] }));
  const eniId = eni.NetworkInterface!.NetworkInterfaceId!;
  await account.clients.ec2.send(new AttachNetworkInterfaceCommand({ InstanceId: instanceId, NetworkInterfaceId: eniId, DeviceIndex: 1 }));
  return eniId;
}

/** Detaches the network interface from its instance. */
export async function detachEni(account: EmulatedAccount, instanceId: string, eniId: string): Promise<void> {
  const instance = await describeInstance(account.clients.ec2, instanceId);
  const attachmentId = instance.NetworkInterfaces?.find((eni) => eni.NetworkInterfaceId === eniId)?.Attachment?.AttachmentId;
  if (!attachmentId) throw new Error(`${eniId} is not attached to ${instanceId}`);
  await account.clients.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: true }));
}
