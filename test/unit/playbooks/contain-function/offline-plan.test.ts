import { DEFAULT_RUNTIME_CONFIG } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import { revokeOlderSessionsPolicy } from '../../../../lambda/iam/revoke-sessions';
import { containFunctionPlaybook } from '../../../../lambda/playbooks/contain-function/playbook';
import { loadFixture } from '../../../support/fixtures';

/* `ir plan --offline`: the plan from the finding alone (offlineFacts), the exact requests it would send. */

const NOW = new Date('2026-11-22T10:00:00.000Z');

function offlinePlan(fixture: string) {
  const finding = parseFindings(loadFixture(fixture))[0]!;
  return containFunctionPlaybook.plan({
    finding,
    facts: containFunctionPlaybook.offlineFacts(finding),
    config: DEFAULT_RUNTIME_CONFIG,
    incidentId: 'ir-offline',
    now: NOW,
    responder: { protectedRoleNames: [] },
  });
}

describe('contain-function planned offline', () => {
  it('records, throttles the unqualified function and revokes the role the finding names, with exactly these requests', () => {
    const plan = offlinePlan('contain-function/tor-client-version.get-findings.json');
    expect(plan.steps.map((s) => [s.id, s.action, s.target, s.parameters.Key ?? s.parameters, s.stage, s.requires])).toEqual([
      ['record-restore:function', 'dynamodb:UpdateItem', 'restore#222222222222#us-east-1#function:report-export', 'restore#222222222222#us-east-1#function:report-export', 0, []],
      ['throttle-function', 'lambda:PutFunctionConcurrency', 'arn:aws:lambda:us-east-1:222222222222:function:report-export', { FunctionName: 'report-export', ReservedConcurrentExecutions: 0 }, 1, ['record-restore:function']],
      [
        'revoke-role-sessions',
        'iam:PutRolePolicy',
        'arn:aws:iam::222222222222:role/report-export',
        { RoleName: 'report-export', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokeOlderSessionsPolicy(NOW) },
        1,
        ['record-restore:function'],
      ],
    ]);
    expect(plan.verdicts).toEqual([]);
    expect(plan.warnings[0]).toContain('planned from the finding alone');
  });

  it('tells the exempt-tag guard the tags the finding gives, when none were read', () => {
    expect(offlinePlan('contain-function/cnc-activity.event.json').resourceTags).toEqual({ team: 'orders' });
  });
});
