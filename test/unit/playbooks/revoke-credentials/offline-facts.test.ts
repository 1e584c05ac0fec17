import { DEFAULT_RUNTIME_CONFIG } from '../../../../lambda/config/schema';
import { offlineRevokeCredentialsFacts } from '../../../../lambda/playbooks/revoke-credentials/offline-facts';
import { preparePlan } from '../../../../lambda/respond/respond';
import { revokeFinding, ROLE_FINDING, ROOT_FINDING, USER_KEY_FINDING } from '../../../support/aws-mocks/revoke-findings';

const NOW = new Date('2026-11-22T10:00:00.000Z');

function planOffline(finding: ReturnType<typeof revokeFinding>) {
  return preparePlan(finding, { config: DEFAULT_RUNTIME_CONFIG, dryRun: true, responder: { protectedRoleNames: [] }, now: () => NOW });
}

describe('offlineRevokeCredentialsFacts', () => {
  it('takes the principal from the finding and marks every lookup as not read', () => {
    expect(offlineRevokeCredentialsFacts(revokeFinding(USER_KEY_FINDING))).toMatchObject({
      kind: 'iam-user',
      principal: { userName: 'deploy-bot', accessKeyId: 'AKIA2EXAMPLEKEY00001' },
      user: { state: 'not-read' },
      keys: { state: 'not-read' },
    });
    expect(offlineRevokeCredentialsFacts(revokeFinding(ROLE_FINDING))).toMatchObject({ kind: 'role', role: { state: 'not-read' } });
    expect(offlineRevokeCredentialsFacts(revokeFinding(ROOT_FINDING))).toMatchObject({ kind: 'manual', principal: { kind: 'root' } });
  });

  it('plans the full user response from the finding alone, and says what was not read', async () => {
    const { document } = await planOffline(revokeFinding(USER_KEY_FINDING));
    expect(document.offline).toBe(true);
    expect(document.reads).toEqual([]);
    expect(document.steps.map((s) => [s.id, s.target, s.parameters.UserName, s.stage])).toEqual([
      ['record-restore:credentials', 'restore#222222222222#AKIA2EXAMPLEKEY00001', undefined, 0],
      ['deactivate-access-key', 'IAM user deploy-bot (access key AKIA2EXAMPLEKEY00001)', 'deploy-bot', 1],
      ['revoke-user-sessions', 'IAM user deploy-bot', 'deploy-bot', 2],
      ['investigate-key-last-used', 'access key AKIA2EXAMPLEKEY00001', undefined, 3],
      ['investigate-services-accessed', 'IAM user deploy-bot', undefined, 3],
      ['investigate-key-events', 'access key AKIA2EXAMPLEKEY00001 (CloudTrail of us-east-1)', undefined, 3],
      ['securityhub:note', 'arn:aws:guardduty:us-east-1:222222222222:detector/12abc34d567e8fa901bc2d34e56789f0/finding/d279186428a75016b17e4df5ea43d080', undefined, 4],
      ['notify', '(no topic configured)', undefined, 5],
      ['evidence', '(no evidence kept)', undefined, 5],
    ]);
    // The investigation is planned too; what it cannot know offline is shown as such.
    expect(document.steps.filter((s) => s.id.startsWith('investigate-')).map((s) => s.parameters)).toEqual([
      { AccessKeyId: 'AKIA2EXAMPLEKEY00001' },
      { Arn: '<ARN of IAM user deploy-bot: unknown>', Granularity: 'SERVICE_LEVEL' },
      {
        LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: 'AKIA2EXAMPLEKEY00001' }],
        StartTime: '2026-11-21T10:00:00.000Z',
        EndTime: '2026-11-22T10:00:00.000Z',
        MaxResults: 50,
      },
    ]);
    expect(document.warnings).toEqual(['planned from the finding alone: IAM user deploy-bot, its tags and its access keys were not read.']);
    expect(document.guards.map((g) => g.id)).not.toContain('principal-unreadable');
  });

  it('still refuses a role named like a service-linked role, with nothing read', async () => {
    const { document } = await planOffline(revokeFinding(ROLE_FINDING, { accessKeyDetails: { userName: 'AWSServiceRoleForECS' } }));
    expect(document.blockedBy).toEqual(['dry-run', 'protected-principal']);
    expect(document.warnings[0]).toBe('planned from the finding alone: IAM role AWSServiceRoleForECS, its path and its tags were not read.');
  });
});
