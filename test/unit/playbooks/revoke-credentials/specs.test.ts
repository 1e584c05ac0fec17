import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetRolePolicyCommand, GetUserPolicyCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG } from '../../../../lambda/config/schema';
import type { IamAction } from '../../../../lambda/plan/types';
import { revokeCredentialsPlaybook } from '../../../../lambda/playbooks/revoke-credentials/playbook';
import { requiredIamActions } from '../../../../lambda/playbooks/registry';
import { RestoreLedger } from '../../../../lambda/ledger/restore-record';
import { respond } from '../../../../lambda/respond/respond';
import { iamActionsReceived, iamError } from '../../../support/aws-mocks/revoke-iam';
import { cloudTrailActionsReceived, givenQuietInvestigation } from '../../../support/aws-mocks/revoke-investigation';
import { REVOKE_SCENARIOS } from '../../../support/aws-mocks/revoke-scenarios';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';

const iam = mockClient(IAMClient);
const cloudTrail = mockClient(CloudTrailClient);
// With the ledger, so the restore record step reads the revoke policy the principal already has.
const dynamodb = mockClient(DynamoDBClient);
dynamodb.on(UpdateItemCommand).resolves({});
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
// The security account's detector holds each finding a test responds to: confirmed, so the playbook may act.
const guardDuty = useGuardDuty();
// The playbook's own steps; the alias read for the notification is left out of what was sent (iamActionsReceived) and declared apart (lambda/notify/account-alias.ts).
const declared = new Set<IamAction>(revokeCredentialsPlaybook.stepSpecs.flatMap((spec) => spec.iamActions));

/** Every action sent while walking every branch, in enforce mode so the mutating calls are made too. */
async function actionsOfEveryBranch(): Promise<Set<IamAction>> {
  const sent = new Set<IamAction>();
  for (const scenario of REVOKE_SCENARIOS) {
    iam.reset();
    cloudTrail.reset();
    iam.rejects(iamError('UnexpectedCall'));
    cloudTrail.rejects(iamError('UnexpectedCall'));
    givenQuietInvestigation(iam, cloudTrail);
    scenario.arrange(iam);
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});
    iam.on(PutRolePolicyCommand).resolves({});
    iam.on(GetUserPolicyCommand).rejects(iamError('NoSuchEntity'));
    iam.on(GetRolePolicyCommand).rejects(iamError('NoSuchEntity'));
    guardDuty.holds(scenario.finding());
    await respond(scenario.finding(), {
      config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' },
      clients,
      dryRun: false,
      responder: { protectedRoleNames: [] },
      restoreLedger: new RestoreLedger(clients.dynamodb, 'ledger-table'),
    });
    for (const action of [...iamActionsReceived(iam), ...cloudTrailActionsReceived(cloudTrail)]) sent.add(action);
  }
  return sent;
}

describe('revoke-credentials step specs', () => {
  it('declare every IAM action the playbook sends, so the derived role allows it', async () => {
    const sent = await actionsOfEveryBranch();
    expect([...sent].filter((action) => !declared.has(action))).toEqual([]);
    // Guards against a walk that silently sends nothing.
    expect(sent.size).toBeGreaterThan(0);
  });

  it('declare nothing the playbook never sends, so the role grants no more than needed', async () => {
    const sent = await actionsOfEveryBranch();
    expect([...declared].filter((action) => !sent.has(action))).toEqual([]);
  });

  it('mark exactly the changing calls as mutating', () => {
    const flags = Object.fromEntries(revokeCredentialsPlaybook.stepSpecs.map((spec) => [spec.iamActions.join(','), spec.mutating]));
    expect(flags).toEqual({
      'iam:GetUser': false,
      'iam:ListAccessKeys': false,
      'iam:GetRole': false,
      'iam:UpdateAccessKey': true,
      'iam:PutUserPolicy': true,
      'iam:PutRolePolicy': true,
      'iam:GetUserPolicy,iam:GetRolePolicy': false,
      'iam:GetAccessKeyLastUsed': false,
      'iam:GenerateServiceLastAccessedDetails,iam:GetServiceLastAccessedDetails': false,
      'cloudtrail:LookupEvents': false,
    });
  });

  it('are what the registry derives the role from', () => {
    expect(requiredIamActions('revoke-credentials')).toEqual(
      expect.arrayContaining([
        'cloudtrail:LookupEvents',
        'iam:GenerateServiceLastAccessedDetails',
        'iam:GetAccessKeyLastUsed',
        'iam:GetRole',
        'iam:GetServiceLastAccessedDetails',
        'iam:GetUser',
        'iam:ListAccessKeys',
        'iam:PutRolePolicy',
        'iam:PutUserPolicy',
        'iam:UpdateAccessKey',
      ]),
    );
  });
});
