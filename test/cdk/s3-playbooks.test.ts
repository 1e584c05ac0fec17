import { requiredIamActions } from '../../lambda/playbooks/registry';
import { memberRoleActions } from '../../lib/member/member-actions';
import { synthesize, synthesizeMember, type Synthesized, type SynthesizedMember } from './support/synth';
import { asList, functionOf, props, resourcesOfType, roleIdOf, statementsOfRole, type Statement } from './support/template-queries';

/*
 * The S3 playbooks in the synthesised stacks: a function and a role each,
 * the role holding exactly the actions their steps declare, every S3 action
 * of theirs on bucket or object ARNs and only in the role's own account
 * (aws:ResourceAccount = aws:PrincipalAccount), in the playbook roles and
 * the member role alike. Only quarantine-object's copy mode copies an object
 * (s3:PutObject only as a copy) and removes one version (never s3:DeleteObject).
 */

let synth: Synthesized;
let member: SynthesizedMember;
const OWN_ACCOUNT = { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } };
const S3_PLAYBOOK_ACTIONS = {
  'block-public-access': ['s3:GetBucketAcl', 's3:GetBucketPolicyStatus', 's3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
  'quarantine-object': [
    's3:DeleteObjectVersion',
    's3:GetBucketPolicy',
    's3:GetBucketPublicAccessBlock',
    's3:GetBucketVersioning',
    's3:GetObject',
    's3:GetObjectTagging',
    's3:GetObjectVersion',
    's3:GetObjectVersionTagging',
    's3:PutObjectTagging',
    's3:PutObjectVersionTagging',
  ],
} as const;
const BUCKET_ACTIONS = new Set(['s3:GetBucketAcl', 's3:GetBucketPolicyStatus', 's3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 's3:GetBucketPolicy', 's3:GetBucketVersioning']);
/** quarantine-object's copy (copy mode): s3:PutObject on objects of its own account's buckets, only as a copy. */
const COPY_PUT = { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' }, Null: { 's3:x-amz-copy-source': 'false' } };

beforeAll(() => {
  synth = synthesize();
  member = synthesizeMember({ context: { incidentResponse: { securityAccountId: '111122223333' } } });
});

/** The S3 Allow statements (the tag mode's Deny of the copy mode's actions is asserted on its own, below). */
function s3Statements(statements: readonly Statement[]): Statement[] {
  return statements.filter((s) => s.Effect !== 'Deny' && asList(s.Action).some((a) => a.startsWith('s3:') && a !== 's3:PutObject'));
}

describe.each(Object.keys(S3_PLAYBOOK_ACTIONS) as (keyof typeof S3_PLAYBOOK_ACTIONS)[])('the %s playbook', (playbook) => {
  it('has its own function, with its own role and the handler of its entry point', () => {
    const fn = props(functionOf(synth.template, playbook));
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 60 });
    expect(resourcesOfType(synth.template, 'AWS::IAM::Role')[roleIdOf(synth.template, playbook)]).toBeDefined();
  });

  it('declares exactly these S3 actions (besides PutObject): no s3:DeleteObject', () => {
    expect(requiredIamActions(playbook).filter((a) => a.startsWith('s3:') && a !== 's3:PutObject')).toEqual([...S3_PLAYBOOK_ACTIONS[playbook]]);
  });

  it('grants each S3 action on bucket or object ARNs of any name, only in the role\'s own account', () => {
    const statements = s3Statements(statementsOfRole(synth.template, roleIdOf(synth.template, playbook)));
    expect(statements.flatMap((s) => asList(s.Action)).sort()).toEqual([...S3_PLAYBOOK_ACTIONS[playbook]].sort());
    for (const statement of statements) {
      const actions = asList(statement.Action);
      const resource = synth.stack.resolve(statement.Resource) as unknown;
      const expected = actions.every((a) => BUCKET_ACTIONS.has(a)) ? ':s3:::*' : ':s3:::*/*';
      expect({ actions, effect: statement.Effect, resource, condition: statement.Condition }).toEqual({
        actions,
        effect: 'Allow',
        resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expected]] },
        condition: OWN_ACCOUNT,
      });
    }
  });
});

describe('the member role', () => {
  it('holds the S3 playbooks\' bucket and object actions, each confined to the member account', () => {
    const statements = s3Statements(
      Object.values(resourcesOfType(member.template, 'AWS::IAM::Role')).flatMap((role) =>
        ((props(role).Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []).flatMap((p) => p.PolicyDocument.Statement),
      ),
    );
    const expected = [...new Set(Object.values(S3_PLAYBOOK_ACTIONS).flat())].sort();
    expect(memberRoleActions().filter((a) => a.startsWith('s3:') && a !== 's3:PutObject')).toEqual(expected);
    expect(statements.flatMap((s) => asList(s.Action)).sort()).toEqual(expected);
    expect(statements.map((s) => s.Condition)).toEqual(statements.map(() => OWN_ACCOUNT));
  });
});

describe('quarantine-object\'s copy', () => {
  const copyPuts = (statements: readonly Statement[]) =>
    statements.filter((s) => s.Effect !== 'Deny' && asList(s.Action).includes('s3:PutObject') && JSON.stringify(s.Condition ?? {}).includes('x-amz-copy-source'));
  const denies = (statements: readonly Statement[]) => statements.filter((s) => s.Effect === 'Deny' && (s.Sid ?? '').startsWith('TagMode'));
  const memberStatementsOf = (template: SynthesizedMember['template']) =>
    Object.values(resourcesOfType(template, 'AWS::IAM::Role')).flatMap((role) =>
      ((props(role).Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []).flatMap((p) => p.PolicyDocument.Statement),
    );
  const TAG_MODE_DENIES = [
    { Sid: 'TagModeNoObjectReadOrDelete', Effect: 'Deny', Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObjectVersion', 's3:GetBucketVersioning'], Resource: '*' },
    { Sid: 'TagModeNoObjectCopy', Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Condition: { Null: { 's3:x-amz-copy-source': 'false' } } },
  ];

  it('in tag mode (the default), is denied the copy mode\'s actions in the playbook role and the member role', () => {
    expect(denies(statementsOfRole(synth.template, roleIdOf(synth.template, 'quarantine-object')))).toEqual(TAG_MODE_DENIES);
    expect(denies(memberStatementsOf(member.template))).toEqual(TAG_MODE_DENIES);
    expect(denies(statementsOfRole(synth.template, roleIdOf(synth.template, 'block-public-access')))).toEqual([]);
  });

  it('in copy mode, is not denied them', () => {
    const s3Quarantine = { mode: 'copy', quarantineBucket: 'ir-quarantine-{accountId}-{region}' };
    const copy = synthesize({ context: { incidentResponse: { s3Quarantine } } });
    const copyMember = synthesizeMember({ context: { incidentResponse: { securityAccountId: '111122223333', s3Quarantine } } });
    expect(denies(statementsOfRole(copy.template, roleIdOf(copy.template, 'quarantine-object')))).toEqual([]);
    expect(denies(memberStatementsOf(copyMember.template))).toEqual([]);
  });

  it('may put an object only as a copy, into a bucket of its own account (playbook role and member role)', () => {
    const playbook = copyPuts(statementsOfRole(synth.template, roleIdOf(synth.template, 'quarantine-object')));
    const memberStatements = Object.values(resourcesOfType(member.template, 'AWS::IAM::Role')).flatMap((role) =>
      ((props(role).Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []).flatMap((p) => p.PolicyDocument.Statement),
    );
    for (const statements of [playbook, copyPuts(memberStatements)]) {
      expect(statements.map((s) => ({ actions: asList(s.Action), condition: s.Condition }))).toEqual([{ actions: ['s3:PutObject'], condition: COPY_PUT }]);
    }
    expect(synth.stack.resolve(playbook[0]!.Resource)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::*/*']] });
  });
});
