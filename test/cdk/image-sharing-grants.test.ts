import { decide, flattenStatement, type PolicyStatement, type RequestContext } from './support/policy-evaluator';
import { synthesize, synthesizeMember } from './support/synth';
import { roleIdOf, statementsOfRole } from './support/template-queries';

/*
 * quarantine-image only ever takes sharing away. IAM holds it to that: the
 * roles that may call ModifySnapshotAttribute / ModifyImageAttribute (its
 * own, answer-sequence's, which answers images with its steps, and the
 * member role it acts through) allow a request that removes accounts or the
 * public group, and no request that adds either (ec2:Add/userId,
 * ec2:Add/group: lambda/iam/ec2-conditions.ts removesSharingOnly).
 *
 * The request contexts model the keys the Service Authorization Reference
 * lists for the two actions; moto evaluates no IAM policy, so these
 * decisions come from test/cdk/support/policy-evaluator.ts.
 */

const ACCOUNT = '222222222222';
const REGION = 'eu-west-1';
const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION };
const SNAPSHOT = `arn:aws:ec2:${REGION}::snapshot/snap-0a1b2c3d4e5f60718`;
const IMAGE = `arn:aws:ec2:${REGION}::image/ami-0a1b2c3d4e5f60718`;
const OTHER = '999999999999';

const flattened = (statements: readonly unknown[]) => statements.map((s) => flattenStatement(s as Record<string, unknown>, PSEUDO));
const security = synthesize();
const member = synthesizeMember({ context: { incidentResponse: { securityAccountId: '999988887777' } } });
const ROLES: [string, PolicyStatement[]][] = [
  ['quarantine-image role', flattened(statementsOfRole(security.template, roleIdOf(security.template, 'quarantine-image')))],
  ['answer-sequence role', flattened(statementsOfRole(security.template, roleIdOf(security.template, 'answer-sequence')))],
  ['member role', flattened(statementsOfRole(member.template, Object.keys(member.template.findResources('AWS::IAM::Role'))[0]!))],
];

const snapshotRequest = (keys: RequestContext): RequestContext => ({ 'ec2:Attribute': 'createVolumePermission', ...keys });
const imageRequest = (keys: RequestContext): RequestContext => ({ 'ec2:Attribute': 'launchPermission', ...keys });

describe.each(ROLES)('the %s', (_name, statements) => {
  it.each([
    ['an account and the public group removed', { 'ec2:Remove/userId': [OTHER], 'ec2:Remove/group': ['all'] }],
    ['an account removed', { 'ec2:Remove/userId': [OTHER] }],
  ])('may change a snapshot’s sharing when %s', (_what, keys) => {
    expect(decide(statements, 'ec2:ModifySnapshotAttribute', SNAPSHOT, snapshotRequest(keys))).toBe('allow');
  });

  it.each([
    ['the public group added', { 'ec2:Add/group': ['all'] }],
    ['an account added', { 'ec2:Add/userId': [OTHER] }],
    ['an account added beside a removal', { 'ec2:Add/userId': [OTHER], 'ec2:Remove/group': ['all'] }],
  ])('may not change a snapshot’s sharing when %s', (_what, keys) => {
    expect(decide(statements, 'ec2:ModifySnapshotAttribute', SNAPSHOT, snapshotRequest(keys))).toBe('implicit-deny');
  });

  it('may remove an AMI’s launch permissions, and add none, public or to an account', () => {
    expect(decide(statements, 'ec2:ModifyImageAttribute', IMAGE, imageRequest({ 'ec2:Remove/userId': [OTHER], 'ec2:Remove/group': ['all'] }))).toBe('allow');
    expect(decide(statements, 'ec2:ModifyImageAttribute', IMAGE, imageRequest({ 'ec2:Add/group': ['all'] }))).toBe('implicit-deny');
    expect(decide(statements, 'ec2:ModifyImageAttribute', IMAGE, imageRequest({ 'ec2:Add/userId': [OTHER] }))).toBe('implicit-deny');
  });

  it('may change no other attribute of a snapshot or an AMI', () => {
    expect(decide(statements, 'ec2:ModifyImageAttribute', IMAGE, { 'ec2:Attribute': 'description' })).toBe('implicit-deny');
    expect(decide(statements, 'ec2:ModifySnapshotAttribute', SNAPSHOT, { 'ec2:Attribute': 'productCodes' })).toBe('implicit-deny');
  });
});
