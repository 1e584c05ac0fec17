import { REVOKE_POLICY_NAME, revokeOlderSessionsPolicy } from '../../../../../lambda/iam/revoke-sessions';
import { instanceCredentialDecision } from '../../../../../lambda/playbooks/contain-instance/credential-policy';
import { known, unknown } from '../../../../../lambda/playbooks/contain-instance/facts';
import { planCredentials, type CredentialsInput } from '../../../../../lambda/playbooks/contain-instance/steps/credentials';
import { containFacts } from '../../../../support/aws-mocks/contain-facts';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { DNS_REBIND_TYPE, NOW } from '../../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { ASSOCIATION_ID, awsError, INSTANCE_ID, PROFILE_ARN, ROLE_NAME } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();
const facts = containFacts();
const input: CredentialsInput = {
  instanceId: INSTANCE_ID,
  decision: instanceCredentialDecision(DNS_REBIND_TYPE, 'on-credential-theft'),
  profile: facts.instanceProfile,
  associationId: facts.profileAssociationId,
  accountId: '111122223333',
  protection: { responderRoleNames: ['responder-role'], protectedPrincipals: [] },
  issuedBefore: NOW,
};

describe('planCredentials', () => {
  it('revokes the sessions of the role and removes the profile, with the exact requests', async () => {
    const { steps, warnings } = planCredentials(input);
    expect(warnings).toEqual([]);
    expect(steps.map((s) => [s.id, s.action, s.target, s.stage])).toEqual([
      ['revoke-role-sessions', 'iam:PutRolePolicy', ROLE_NAME, 6],
      ['disassociate-instance-profile', 'ec2:DisassociateIamInstanceProfile', INSTANCE_ID, 6],
    ]);
    const outcomes = await executeSteps(steps, h.clients);
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done']);
    const policy = { RoleName: ROLE_NAME, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokeOlderSessionsPolicy(NOW) };
    expect(h.callsOf('PutRolePolicy')).toEqual([policy]);
    expect(steps[0]!.parameters).toEqual(policy);
    expect(h.callsOf('DisassociateIamInstanceProfile')).toEqual([{ AssociationId: ASSOCIATION_ID }]);
    expect(steps[1]!.parameters).toEqual({ AssociationId: ASSOCIATION_ID });
  });

  it('records the profile on the instance before it takes it off, for ir release', async () => {
    const steps = planCredentials(input).steps.filter((s) => s.id === 'disassociate-instance-profile');
    const [outcome] = await executeSteps(steps, h.clients);
    expect(h.world.log.map((c) => c.command)).toEqual(['CreateTags', 'DisassociateIamInstanceProfile']);
    expect(h.callsOf('CreateTags')).toEqual([{ Resources: [INSTANCE_ID], Tags: [{ Key: 'ir:original-instance-profile', Value: PROFILE_ARN }] }]);
    expect(outcome).toMatchObject({ status: 'done', detail: 'recorded as ir:original-instance-profile' });
    expect(steps[0]!.iamActions).toEqual(['ec2:DisassociateIamInstanceProfile', 'ec2:CreateTags', 'ec2:DescribeIamInstanceProfileAssociations']);
  });

  it('still takes the profile off when the record cannot be written, and says the record is missing', async () => {
    h.world.failures.set('CreateTags', awsError('TagLimitExceeded', 'too many tags', 400));
    const [outcome] = await executeSteps(planCredentials(input).steps.filter((s) => s.id === 'disassociate-instance-profile'), h.clients);
    expect(h.callsOf('DisassociateIamInstanceProfile')).toEqual([{ AssociationId: ASSOCIATION_ID }]);
    expect(outcome).toMatchObject({ status: 'done', detail: `NOT recorded on the instance (TagLimitExceeded): the profile was ${PROFILE_ARN}` });
  });

  it('records the profile name when its ARN (a long path) does not fit in a tag value', async () => {
    const longArn = `arn:aws:iam::111122223333:instance-profile/${'deep/'.repeat(50)}web-tier`;
    const steps = planCredentials({ ...input, profile: { ...facts.instanceProfile!, arn: longArn } }).steps.filter((s) => s.id === 'disassociate-instance-profile');
    await executeSteps(steps, h.clients);
    expect(h.callsOf('CreateTags')).toEqual([{ Resources: [INSTANCE_ID], Tags: [{ Key: 'ir:original-instance-profile', Value: 'web-tier' }] }]);
  });

  it('plans nothing when the decision is not to cut', () => {
    expect(planCredentials({ ...input, decision: instanceCredentialDecision('CryptoCurrency:EC2/BitcoinTool.B', 'on-credential-theft') })).toEqual({ steps: [], warnings: [] });
  });

  it('refuses service-linked and responder roles, but still removes the profile', () => {
    const serviceLinked = planCredentials({
      ...input,
      profile: { arn: PROFILE_ARN, role: known({ roleName: 'AWSServiceRoleForSSM', path: '/aws-service-role/ssm.amazonaws.com/', arn: 'a' }), sharedWith: known([]) },
    });
    expect(serviceLinked.steps.map((s) => s.id)).toEqual(['disassociate-instance-profile']);
    expect(serviceLinked.warnings).toEqual([
      "The sessions of the instance's role are not revoked: role AWSServiceRoleForSSM is service-linked (path /aws-service-role/ssm.amazonaws.com/): " +
        'it belongs to an AWS service and is never changed. Instead, by hand: find in CloudTrail what used its credentials and contain that resource.',
    ]);

    const own = planCredentials({ ...input, profile: { arn: PROFILE_ARN, role: known({ roleName: 'responder-role', path: '/', arn: 'a' }), sharedWith: known([]) } });
    expect(own.steps.map((s) => s.id)).toEqual(['disassociate-instance-profile']);
    expect(own.warnings[0]).toMatch(/^The sessions of the instance's role are not revoked: role responder-role is one of the responder's own roles/);
  });

  describe('credentials.protectedPrincipals', () => {
    const withRole = (roleName: string, protectedPrincipals: string[], accountId: string | null = '111122223333') =>
      planCredentials({
        ...input,
        accountId,
        protection: { responderRoleNames: [], protectedPrincipals },
        profile: { arn: PROFILE_ARN, role: known({ roleName, path: '/', arn: 'a' }), sharedWith: known([]) },
      });

    it.each([
      ['exact ARN', 'BreakGlass', 'arn:aws:iam::111122223333:role/BreakGlass'],
      ['any account', 'BreakGlass', 'arn:aws:iam::*:role/BreakGlass'],
      ['a wildcard name', 'BreakGlass-eu', 'arn:aws:iam::111122223333:role/BreakGlass-*'],
      ['the name in another case (IAM names are case-insensitive)', 'breakglass', 'arn:aws:iam::111122223333:role/BreakGlass'],
    ])('never revokes a protected instance role (%s), and gives the manual step instead', (_what, roleName, pattern) => {
      const plan = withRole(roleName, [pattern]);
      expect(plan.steps.map((s) => s.id)).toEqual(['disassociate-instance-profile']);
      expect(plan.warnings).toEqual([
        `The sessions of the instance's role are not revoked: role ${roleName} is a protected (break-glass) principal (credentials.protectedPrincipals: ${pattern}): ` +
          'the responder never deactivates its keys nor revokes its sessions. Instead, by hand: once the misuse is confirmed, deactivate the access key the finding names (if any), ' +
          'revoke its sessions (IAM console, "Revoke active sessions") and rotate its credentials.',
      ]);
    });

    it.each([
      ['another account', 'BreakGlass', 'arn:aws:iam::999988887777:role/BreakGlass'],
      ['a user of that name', 'BreakGlass', 'arn:aws:iam::111122223333:user/BreakGlass'],
      ['a longer name (anchored)', 'BreakGlassHelper', 'arn:aws:iam::111122223333:role/BreakGlass'],
    ])('still revokes a role the pattern does not name (%s)', (_what, roleName, pattern) => {
      const plan = withRole(roleName, [pattern]);
      expect(plan.steps.map((s) => [s.id, s.parameters.RoleName])).toEqual([
        ['revoke-role-sessions', roleName],
        ['disassociate-instance-profile', undefined],
      ]);
    });
  });

  it('warns about other instances when the role is shared, or when that could not be read', () => {
    const shared = planCredentials({ ...input, profile: { ...facts.instanceProfile!, sharedWith: known(['i-0b']) } });
    expect(shared.warnings).toEqual([
      `Role ${ROLE_NAME} is shared: i-0b use the same instance profile and lose their current sessions too (they get new credentials when theirs refresh).`,
    ]);
    const unread = planCredentials({ ...input, profile: { ...facts.instanceProfile!, sharedWith: unknown('DescribeIamInstanceProfileAssociations failed (AccessDenied)') } });
    expect(unread.warnings[0]).toMatch(/^Whether other instances use .* is DescribeIamInstanceProfileAssociations failed \(AccessDenied\)/);
  });

  it('a profile without a role, or an instance with no association now, plans only what applies', () => {
    const noRole = planCredentials({ ...input, profile: { ...facts.instanceProfile!, role: known(null) } });
    expect(noRole.steps.map((s) => s.id)).toEqual(['disassociate-instance-profile']);
    const noAssociation = planCredentials({ ...input, associationId: known(null) });
    expect(noAssociation.steps.map((s) => s.id)).toEqual(['revoke-role-sessions']);
  });

  it('AccessDenied on the role does not stop the profile removal', async () => {
    h.world.failures.set('PutRolePolicy', awsError('AccessDenied', 'denied', 403));
    const outcomes = await executeSteps(planCredentials(input).steps, h.clients);
    expect(outcomes.map((o) => [o.status, o.error?.code])).toEqual([
      ['failed', 'AccessDenied'],
      ['done', undefined],
    ]);
  });
});
