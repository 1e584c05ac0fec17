import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { approvalSchema } from '../../../lambda/approval/schema';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import type { Report } from '../../../lambda/plan/document';
import { respond } from '../../../lambda/respond/respond';
import { enforceConfig, WITHOUT_SECURITY_HUB_NOTE } from '../../support/aws-mocks/contain-finding';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';
import { givenUser, iamError } from '../../support/aws-mocks/revoke-iam';
import { revokeFinding, USER_KEY_FINDING } from '../../support/aws-mocks/revoke-findings';
import { givenQuietInvestigation } from '../../support/aws-mocks/revoke-investigation';

/*
 * revoke-credentials plans in one go (no staged discovery): the policy's decisions come with that plan, from
 * the principal's tags as read (GetUser), which the principal itself may have written: they only tighten.
 */

const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const cloudTrail = mockClient(CloudTrailClient);
const guardDuty = useGuardDuty();
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:ir-notifications';
const KEY = 'AKIA2EXAMPLEKEY00001';

const approval = approvalSchema.parse({
  rules: [
    { id: 'payments-keys', class: 'deactivate-key', mode: 'approve', match: { tags: { team: 'payments' } } },
    { id: 'sessions-auto', class: 'revoke-sessions', mode: 'auto' },
  ],
});

function run(tags: Record<string, string>): Promise<Report> {
  givenUser(iam, { userName: 'deploy-bot', tags, keys: [{ accessKeyId: KEY, status: 'Active' }] });
  const finding = revokeFinding(USER_KEY_FINDING);
  guardDuty.holds(finding);
  return respond(finding, { config: enforceConfig({ ...WITHOUT_SECURITY_HUB_NOTE, approval }), clients, dryRun: false, topicArn: TOPIC, responder: { protectedRoleNames: [] } });
}

beforeEach(() => {
  iam.reset();
  sns.reset();
  cloudTrail.reset();
  iam.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  cloudTrail.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  givenQuietInvestigation(iam, cloudTrail);
  iam.on(UpdateAccessKeyCommand).resolves({});
  iam.on(PutUserPolicyCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
});

describe('revoke-credentials under an approval policy', () => {
  it('holds the key deactivation of a principal tagged for it, and still revokes its sessions', async () => {
    const report = await run({ team: 'payments' });
    expect(report.steps.find((s) => s.id === 'deactivate-access-key')).toMatchObject({
      status: 'skipped',
      approval: { mode: 'approve', changeClass: 'deactivate-key', ruleId: 'payments-keys' },
    });
    expect(report.steps.find((s) => s.id === 'deactivate-access-key')?.reason).toMatch(/^awaits approval \(rule payments-keys\)/);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
    expect(report.steps.find((s) => s.approval?.changeClass === 'revoke-sessions')).toMatchObject({ status: 'done', approval: { mode: 'auto', ruleId: 'sessions-auto' } });
    expect(iam.commandCalls(PutUserPolicyCommand)).toHaveLength(1);
    // Nothing waits (no ledger: the run cannot wait), and the sessions were revoked: said as it is, never AWAITING APPROVAL.
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.Subject).toMatch(/^\[GuardDuty IR NEEDS APPROVAL - PARTLY CONTAINED\] revoke-credentials: /);
  });

  it('deactivates the key of a principal without the tag: the tag could only have tightened', async () => {
    const report = await run({ team: 'web' });
    expect(report.steps.find((s) => s.id === 'deactivate-access-key')).toMatchObject({ status: 'done', approval: { mode: 'auto', ruleId: 'default' } });
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'deploy-bot', AccessKeyId: KEY, Status: 'Inactive' }]);
  });
});
