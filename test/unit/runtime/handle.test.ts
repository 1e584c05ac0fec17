import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { FindingInputError } from '../../../lambda/finding/errors';
import type { Report } from '../../../lambda/plan/document';
import { readLambdaEnvironment, type LambdaEnvironment } from '../../../lambda/runtime/environment';
import { handleInvocation } from '../../../lambda/runtime/handle';
import { RoutingMismatchError } from '../../../lambda/runtime/routing-mismatch';
import { loadFixture } from '../../support/fixtures';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';

function env(overrides: Partial<LambdaEnvironment> = {}): LambdaEnvironment {
  return { playbook: 'notify', config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' }, topicArn: TOPIC, protectedRoleNames: [], defaultRegion: 'us-east-1', ...overrides };
}

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('handleInvocation', () => {
  it('answers an EventBridge event with a report and publishes it to the topic', async () => {
    const report = (await handleInvocation(loadFixture('notify/port-probe-unprotected.event.json'), env())) as Report;
    expect(report).toMatchObject({ playbook: 'notify', findingType: 'Recon:EC2/PortProbeUnprotectedPort', accountId: '222222222222', dryRun: false, blockedBy: [] });
    expect(report.steps.map((s) => [s.id, s.status, s.detail])).toEqual([['notify', 'done', 'message m-1']]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Subject).toBe('[GuardDuty IR DONE] notify: Recon:EC2/PortProbeUnprotectedPort sev 5');
    expect(input.Message).toContain('No automated action applies to this finding.');
  });

  it('accepts a direct invocation {finding, dryRun} and honours the dry-run request', async () => {
    const event = { finding: loadFixture('notify/s3-malicious-caller.raw.json'), dryRun: true };
    const report = (await handleInvocation(event, env())) as Report;
    expect(report.dryRun).toBe(true);
    expect(report.blockedBy).toEqual(['dry-run']);
  });

  it('never lets a request turn a dry-run stack into enforce', async () => {
    const event = { finding: loadFixture('notify/s3-malicious-caller.raw.json'), dryRun: false };
    const report = (await handleInvocation(event, env({ config: DEFAULT_RUNTIME_CONFIG }))) as Report;
    expect(report.dryRun).toBe(true);
    expect(report.guards.find((g) => g.id === 'dry-run')!.reason).toContain('the stack runs in dry-run mode');
  });

  it('refuses a finding that routes to another playbook and calls nothing', async () => {
    await expect(handleInvocation(loadFixture('contain-instance/crypto-bitcoin-tool.event.json'), env())).rejects.toThrow(RoutingMismatchError);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('rejects input that is not a finding with a typed error and calls nothing', async () => {
    await expect(handleInvocation({ hello: 'world' }, env())).rejects.toThrow(FindingInputError);
    await expect(handleInvocation({ finding: {}, dryRun: 'yes' }, env())).rejects.toThrow('invalid direct invocation: dryRun');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('still returns the report when SNS fails, with the failed notification in it', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException', $metadata: { httpStatusCode: 400 } }));
    const report = (await handleInvocation(loadFixture('notify/port-probe-unprotected.event.json'), env())) as Report;
    expect(report.steps[0]).toMatchObject({ id: 'notify', status: 'failed', error: { code: 'KMSDisabledException', message: 'KMS key disabled' } });
    expect(report.summary).toEqual({ done: 0, skipped: 0, failed: 1 });
  });
});

describe('readLambdaEnvironment', () => {
  it('reads what the stack sets', () => {
    const parsed = readLambdaEnvironment({
      IR_PLAYBOOK: 'contain-instance',
      IR_RUNTIME_CONFIG: JSON.stringify({ mode: 'enforce' }),
      IR_TOPIC_ARN: TOPIC,
      IR_PROTECTED_ROLE_NAMES: 'a-role, b-role',
      AWS_REGION: 'eu-west-1',
    });
    expect(parsed).toEqual({ playbook: 'contain-instance', config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' }, topicArn: TOPIC, protectedRoleNames: ['a-role', 'b-role'], defaultRegion: 'eu-west-1' });
  });

  it('fails loudly on a bad environment', () => {
    expect(() => readLambdaEnvironment({ IR_PLAYBOOK: 'delete-everything' })).toThrow('invalid Lambda environment: IR_PLAYBOOK');
    expect(() => readLambdaEnvironment({ IR_PLAYBOOK: 'notify', IR_RUNTIME_CONFIG: '{' })).toThrow('IR_RUNTIME_CONFIG is not JSON');
    expect(() => readLambdaEnvironment({ IR_PLAYBOOK: 'notify', IR_RUNTIME_CONFIG: '{"mode":"yolo"}' })).toThrow('invalid configuration in IR_RUNTIME_CONFIG');
  });
});
