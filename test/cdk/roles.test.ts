import { READ_ACCOUNT_ALIAS } from '../../lambda/notify/account-alias';
import { requiredIamActions, stepSpecsOf } from '../../lambda/playbooks/registry';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { STEPS_IN_MANAGED_POLICIES } from '../../lib/iam/playbook-role';
import { grantsOf, scopedGrants } from '../../lib/iam/scoped-statements';
import { LOG_WRITING_ACTIONS, ON_FAILURE_DESTINATION_ACTIONS } from '../../lib/iam/support-actions';
import { synthesize, type Synthesized } from './support/synth';
import { asList, getAtt, logicalIdAtPath, owedNoteWriterIds, props, resourcesOfType, roleIdOf, statementsOfRole, type Json, type Statement } from './support/template-queries';

const PASCAL: Record<PlaybookName, string> = {
  'contain-instance': 'ContainInstance',
  'revoke-credentials': 'RevokeCredentials',
  'contain-function': 'ContainFunction',
  'block-public-access': 'BlockPublicAccess',
  'quarantine-object': 'QuarantineObject',
  'contain-task': 'ContainTask',
  'contain-eks': 'ContainEks',
  'contain-database': 'ContainDatabase',
  'quarantine-image': 'QuarantineImage',
  'answer-sequence': 'AnswerSequence',
  notify: 'Notify',
};
const SUPPORT_ACTIONS: readonly string[] = [...LOG_WRITING_ACTIONS, ...ON_FAILURE_DESTINATION_ACTIONS];

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize();
});

function statementsOf(playbook: PlaybookName): Statement[] {
  return statementsOfRole(synth.template, roleIdOf(synth.template, playbook));
}

function allowedActions(playbook: PlaybookName): string[] {
  return statementsOf(playbook)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => asList(s.Action));
}

describe.each(PLAYBOOK_NAMES)('the role of %s', (playbook) => {
  it('allows exactly the actions its steps declare, besides logging and the failure queue', () => {
    const stepActions = [...new Set(allowedActions(playbook).filter((a) => !SUPPORT_ACTIONS.includes(a)))].sort();
    // Set equality both ways: nothing missing (the step would fail with AccessDenied), nothing extra.
    expect(stepActions).toEqual([...requiredIamActions(playbook)].sort());
  });

  it('holds every support action, each scoped to the function’s own log group or queue', () => {
    const logGroupId = logicalIdAtPath(synth.template, `${synth.stack.stackName}/${PASCAL[playbook]}/Logs/Resource`);
    const queueId = logicalIdAtPath(synth.template, `${synth.stack.stackName}/${PASCAL[playbook]}/FailureQueue/Resource`);
    const support = statementsOf(playbook).filter((s) => asList(s.Action).some((a) => SUPPORT_ACTIONS.includes(a)));
    for (const statement of support) {
      const actions = asList(statement.Action);
      const ownResource = actions.every((a) => (LOG_WRITING_ACTIONS as readonly string[]).includes(a)) ? getAtt(logGroupId) : getAtt(queueId);
      expect(actions.every((a) => SUPPORT_ACTIONS.includes(a))).toBe(true);
      expect(statement.Resource).toEqual(ownResource);
    }
    expect(new Set(support.flatMap((s) => asList(s.Action)))).toEqual(new Set(SUPPORT_ACTIONS));
  });

  it('scopes every step action to the resources and conditions its step declarations give it (action-resources.ts, iamGrants)', () => {
    const refs = synth.stack.scopeReferences;
    const grants = scopedGrants(grantsOf(stepSpecsOf(playbook)), refs);
    for (const action of requiredIamActions(playbook)) {
      const granting = statementsOf(playbook).filter((s) => s.Effect === 'Allow' && asList(s.Action).includes(action));
      const expected = grants
        .filter((g) => g.actions.includes(action))
        .map((g) => ({ resources: synth.stack.resolve([...g.resources]), condition: synth.stack.resolve(g.condition) as unknown }));
      const actual = granting.map((s) => ({ resources: asList(s.Resource), condition: s.Condition }));
      expect({ action, grants: actual }).toEqual({ action, grants: expected });
    }
  });

  it('has no managed policy but the stack’s guardrails (Deny statements only) and, for answer-sequence, its own step policies; no wildcard action', () => {
    const role = props(resourcesOfType(synth.template, 'AWS::IAM::Role')[roleIdOf(synth.template, playbook)]!);
    const guardrails = logicalIdAtPath(synth.template, `${synth.stack.stackName}/ResponderGuardrails/Resource`);
    const managed = resourcesOfType(synth.template, 'AWS::IAM::ManagedPolicy');
    // The step policies are the role's own children (lib/iam/managed-step-policies.ts), Allow statements only.
    const stepPath = new RegExp(`^${synth.stack.stackName}/${PASCAL[playbook]}/Role/Steps\\d+/Resource$`);
    const stepPolicies = Object.keys(managed).filter((id) => stepPath.test(String(managed[id]!.Metadata?.['aws:cdk:path'])));
    expect(role.ManagedPolicyArns).toEqual([{ Ref: guardrails }, ...stepPolicies.map((id) => ({ Ref: id }))]);
    expect(stepPolicies.length > 0).toBe(STEPS_IN_MANAGED_POLICIES.includes(playbook));
    for (const id of stepPolicies) expect((props(managed[id]!).PolicyDocument as { Statement: Statement[] }).Statement.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(asList(role.Policies as Json[] | undefined).map((p) => (p as { PolicyName: string }).PolicyName).includes('PlaybookSteps')).toBe(!STEPS_IN_MANAGED_POLICIES.includes(playbook));
    const policy = props(managed[guardrails]!);
    expect((policy.PolicyDocument as { Statement: Statement[] }).Statement.map((s) => s.Effect)).toEqual(['Deny']);
    expect(allowedActions(playbook).filter((a) => a.includes('*'))).toEqual([]);
  });

  it('can be assumed by Lambda only', () => {
    const role = props(resourcesOfType(synth.template, 'AWS::IAM::Role')[roleIdOf(synth.template, playbook)]!);
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
    });
  });
});

describe('roles', () => {
  it('are one per playbook, each with a deterministic name per stack, playbook and region', () => {
    const roleIds = PLAYBOOK_NAMES.map((playbook) => roleIdOf(synth.template, playbook));
    expect(new Set(roleIds).size).toBe(PLAYBOOK_NAMES.length);
    // And the owed Security Hub note writer's, which acts on nothing of a finding (test/cdk/owed-note-delivery.test.ts).
    expect(Object.keys(resourcesOfType(synth.template, 'AWS::IAM::Role')).sort()).toEqual([...roleIds, owedNoteWriterIds(synth.template).roleId].sort());
    for (const playbook of PLAYBOOK_NAMES) {
      const role = props(resourcesOfType(synth.template, 'AWS::IAM::Role')[roleIdOf(synth.template, playbook)]!);
      expect(role.RoleName).toEqual({ 'Fn::Join': ['', [`GuardDutyIncidentResponse-${playbook}-`, { Ref: 'AWS::Region' }]] });
    }
  });
});

describe('the contain-function role (lambda/playbooks/contain-function/specs.ts)', () => {
  it('may read, throttle and nothing else of Lambda, only on functions of this account; and only read and write the revoke policy of roles', () => {
    const lambdaGrants = statementsOf('contain-function')
      .filter((s) => s.Effect === 'Allow' && asList(s.Action).some((a) => a.startsWith('lambda:')))
      .map((s) => ({ effect: s.Effect, actions: asList(s.Action).sort(), resources: synth.stack.resolve(s.Resource) as unknown }));
    expect(lambdaGrants).toEqual([
      {
        effect: 'Allow',
        actions: ['lambda:GetFunctionConcurrency', 'lambda:GetFunctionConfiguration', 'lambda:ListProvisionedConcurrencyConfigs', 'lambda:ListTags', 'lambda:PutFunctionConcurrency'],
        resources: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:*:', { Ref: 'AWS::AccountId' }, ':function:*']] },
      },
    ]);
    const iamActions = allowedActions('contain-function').filter((a) => a.startsWith('iam:')).sort();
    expect(iamActions).toEqual(['iam:GetRolePolicy', 'iam:ListAccountAliases', 'iam:PutRolePolicy']);
    // Deleting the concurrency belongs to the release (the operator), never to the playbook.
    expect(allowedActions('contain-function')).not.toContain('lambda:DeleteFunctionConcurrency');
  });

  it('is denied the throttle on any function carrying the exempt tag (Lambda authorises on aws:ResourceTag), and so does answer-sequence, which throttles with contain-function’s steps; no other role gets that Deny', () => {
    const denies = (playbook: PlaybookName) => statementsOf(playbook).filter((s) => s.Effect === 'Deny' && asList(s.Action).some((a) => a.startsWith('lambda:')));
    const throttlers: readonly PlaybookName[] = ['contain-function', 'answer-sequence'];
    for (const playbook of throttlers) {
      expect(denies(playbook).map((s) => ({ actions: asList(s.Action), resources: synth.stack.resolve(s.Resource) as unknown, condition: s.Condition }))).toEqual([
        {
          actions: ['lambda:PutFunctionConcurrency'],
          resources: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:*:*:function:*']] },
          condition: { Null: { 'aws:ResourceTag/ir:exempt': 'false' } },
        },
      ]);
    }
    for (const other of PLAYBOOK_NAMES.filter((p) => !throttlers.includes(p))) expect(denies(other)).toEqual([]);
  });
});

describe('confirming findings with GuardDuty (lambda/confirm/)', () => {
  it.each(['contain-instance', 'revoke-credentials', 'contain-database', 'quarantine-image', 'contain-function'] as const)(
    'the %s role may read (and archive) findings in the detectors of this account in this region, and list them, nothing else of GuardDuty',
    (playbook) => {
      const guardDuty = statementsOf(playbook).filter((s) => asList(s.Action).some((a) => a.startsWith('guardduty:')));
      const grants = guardDuty.map((s) => ({ effect: s.Effect, actions: asList(s.Action).filter((a) => a.startsWith('guardduty:')), resources: synth.stack.resolve(s.Resource) as unknown }));
      expect(grants).toEqual(
        expect.arrayContaining([
          {
            effect: 'Allow',
            // ArchiveFindings: closing the loop after a completed containment (lambda/close-loop/).
            actions: ['guardduty:ArchiveFindings', 'guardduty:GetFindings'],
            resources: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':guardduty:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':detector/*']] },
          },
        ]),
      );
      // ListDetectors supports no resource-level permission: it shares the "*" statement of such reads.
      expect(grants.find((g) => g.actions.includes('guardduty:ListDetectors'))?.resources).toBe('*');
      expect(grants.flatMap((g) => g.actions).sort()).toEqual(['guardduty:ArchiveFindings', 'guardduty:GetFindings', 'guardduty:ListDetectors']);
    },
  );

  it('the notify role, which never acts, has no GuardDuty permission', () => {
    expect(allowedActions('notify').filter((a) => a.startsWith('guardduty:'))).toEqual([]);
  });
});

describe('naming the account in the notification (lambda/notify/account-alias.ts)', () => {
  it.each(['contain-instance', 'revoke-credentials', 'contain-database', 'quarantine-image', 'contain-function'] as const)('the %s role may list its account’s aliases (read-only, no resource-level permission: "*"), and create or delete none', (playbook) => {
    const granting = statementsOf(playbook).filter((s) => s.Effect === 'Allow' && asList(s.Action).includes('iam:ListAccountAliases'));
    expect(granting.map((s) => s.Resource)).toEqual(['*']);
    expect(granting.flatMap((s) => Object.keys(s.Condition ?? {}))).toEqual([]);
    expect(allowedActions(playbook).filter((a) => /^iam:(Create|Delete)AccountAlias$/.test(a))).toEqual([]);
  });

  it('is declared once, as a read of the finding’s account, and the roles hold it because of that declaration', () => {
    for (const playbook of ['contain-instance', 'revoke-credentials'] as const) {
      expect(stepSpecsOf(playbook).filter((s) => s.iamActions.includes('iam:ListAccountAliases'))).toEqual([READ_ACCOUNT_ALIAS]);
    }
    expect(READ_ACCOUNT_ALIAS.mutating).toBe(false);
  });

  it('the notify role, which reaches no account, reads no alias', () => {
    expect(allowedActions('notify').filter((a) => /AccountAlias/.test(a))).toEqual([]);
  });
});

describe('the contain-database role', () => {
  const rdsStatements = () => statementsOf('contain-database').filter((s) => s.Effect === 'Allow' && asList(s.Action).some((a) => a.startsWith('rds:')));

  it('holds exactly the RDS and EC2 actions of its steps: describe, snapshot (tags at creation), modify; the isolation group’s EC2 calls; nothing else of RDS', () => {
    const actions = [...new Set(allowedActions('contain-database').filter((a) => a.startsWith('rds:') || a.startsWith('ec2:')))].sort();
    expect(actions).toEqual([
      'ec2:CreateSecurityGroup',
      'ec2:CreateTags',
      'ec2:DescribeSecurityGroups',
      'ec2:RevokeSecurityGroupEgress',
      'rds:AddTagsToResource',
      'rds:CreateDBClusterSnapshot',
      'rds:CreateDBSnapshot',
      'rds:DescribeDBClusterSnapshots',
      'rds:DescribeDBClusters',
      'rds:DescribeDBInstances',
      'rds:DescribeDBSnapshots',
      'rds:DescribeDBSubnetGroups',
      'rds:ModifyDBCluster',
      'rds:ModifyDBInstance',
    ]);
  });

  it('scopes every RDS action to the account’s RDS resources of its types, never "*", and the snapshot tags to the incident’s keys', () => {
    const account = synth.stack.resolve(synth.stack.account) as unknown;
    const arn = (type: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:*:', account, `:${type}:*`]] });
    for (const statement of rdsStatements()) expect(asList(statement.Resource)).not.toContain('*');
    const grantOf = (action: string) => rdsStatements().filter((s) => asList(s.Action).includes(action));
    expect(grantOf('rds:ModifyDBInstance').map((s) => asList(s.Resource))).toEqual([[arn('db')]]);
    expect(grantOf('rds:ModifyDBCluster').map((s) => asList(s.Resource))).toEqual([[arn('cluster')]]);
    const tagKeys = { 'ForAllValues:StringLike': { 'aws:TagKeys': ['ir:finding-id', 'ir:finding-type', 'ir:incident-id', 'ir:source-database'] } };
    expect(grantOf('rds:CreateDBSnapshot').map((s) => [asList(s.Resource), s.Condition])).toEqual([[[arn('db'), arn('snapshot')], tagKeys]]);
    expect(grantOf('rds:AddTagsToResource').map((s) => s.Condition)).toEqual([tagKeys]);
  });
});

describe('the quarantine-image role', () => {
  it('holds exactly the EC2 and Backup actions of its steps, each write confined to snapshots or images, its attribute and its tag keys', () => {
    const actions = [...new Set(allowedActions('quarantine-image').filter((a) => a.startsWith('ec2:') || a.startsWith('backup:')))].sort();
    expect(actions).toEqual([
      'backup:DescribeRecoveryPoint',
      'backup:TagResource',
      'ec2:CreateTags',
      'ec2:DescribeImageAttribute',
      'ec2:DescribeImages',
      'ec2:DescribeSnapshotAttribute',
      'ec2:DescribeSnapshots',
      'ec2:ModifyImageAttribute',
      'ec2:ModifySnapshotAttribute',
    ]);
    const statements = statementsOf('quarantine-image').filter((s) => s.Effect === 'Allow');
    const grantOf = (action: string) => statements.filter((s) => asList(s.Action).includes(action)).map((s) => [asList(s.Resource), s.Condition]);
    const ec2Arn = (type: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:*::${type}/*`]] });
    // Only removals: a request that adds an account or the public group carries ec2:Add/userId or ec2:Add/group (test/cdk/image-sharing-grants.test.ts).
    const removesOnly = { Null: { 'ec2:Add/userId': 'true', 'ec2:Add/group': 'true' } };
    expect(grantOf('ec2:ModifySnapshotAttribute')).toEqual([[[ec2Arn('snapshot')], { 'ForAllValues:StringEqualsIgnoreCase': { 'ec2:Attribute': ['createVolumePermission'] }, ...removesOnly }]]);
    expect(grantOf('ec2:ModifyImageAttribute')).toEqual([[[ec2Arn('image')], { 'ForAllValues:StringEqualsIgnoreCase': { 'ec2:Attribute': ['launchPermission'] }, ...removesOnly }]]);
    const tagKeys = { 'ForAllValues:StringLike': { 'aws:TagKeys': ['ir:malware', 'ir:incident-id', 'ir:finding-id', 'ir:finding-type'] } };
    expect(grantOf('ec2:CreateTags')).toEqual([[[ec2Arn('snapshot'), ec2Arn('image')], tagKeys]]);
    expect(grantOf('backup:TagResource').map(([, condition]) => condition)).toEqual([tagKeys]);
  });
});
