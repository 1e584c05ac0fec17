import { classifyPrincipal, keyKindOf } from '../../../../lambda/playbooks/revoke-credentials/principal';
import {
  FEDERATED_FINDING,
  INSTANCE_CREDENTIALS_FINDING,
  revokeFinding,
  ROLE_FINDING,
  ROOT_FINDING,
  USER_KEY_FINDING,
  USER_TEMP_KEY_FINDING,
} from '../../../support/aws-mocks/revoke-findings';

describe('keyKindOf', () => {
  it.each([
    ['AKIA2EXAMPLEKEY00001', 'long-term'],
    ['ASIA2EXAMPLETEMPKEY1', 'temporary'],
    ['GeneratedFindingAccessKeyId', 'unrecognised'],
    ['AKIA', 'unrecognised'],
    ['akia2examplekey00001', 'unrecognised'],
    [null, 'unrecognised'],
  ] as const)('%s is %s', (accessKeyId, kind) => {
    expect(keyKindOf(accessKeyId)).toBe(kind);
  });
});

describe('classifyPrincipal', () => {
  it('an IAM user with a long-term key', () => {
    expect(classifyPrincipal(revokeFinding(USER_KEY_FINDING))).toEqual({
      kind: 'iam-user',
      userName: 'deploy-bot',
      accessKeyId: 'AKIA2EXAMPLEKEY00001',
      keyKind: 'long-term',
      principalId: 'AIDA2EXAMPLEUSER0001',
    });
  });

  it('an IAM user with a temporary key', () => {
    expect(classifyPrincipal(revokeFinding(USER_TEMP_KEY_FINDING))).toMatchObject({ kind: 'iam-user', keyKind: 'temporary' });
  });

  it('an assumed role: the role is userName, the session follows the colon of principalId', () => {
    const finding = revokeFinding(ROLE_FINDING, { accessKeyDetails: { userType: 'AssumedRole', principalId: 'AROA2EXAMPLEETL00001:etl-run-42' } });
    expect(classifyPrincipal(finding)).toEqual({
      kind: 'role',
      roleName: 'etl-job',
      sessionName: 'etl-run-42',
      accessKeyId: 'ASIA2EXAMPLEETLJOB01',
      principalId: 'AROA2EXAMPLEETL00001:etl-run-42',
      userType: 'AssumedRole',
      instanceCredentials: false,
      identityCenter: null,
    });
  });

  it('an IAM Identity Center role: the permission set from the role name, the Identity Center user from the session name', () => {
    const finding = revokeFinding(ROLE_FINDING, {
      accessKeyDetails: { userType: 'AssumedRole', userName: 'AWSReservedSSO_Billing_Read_Only_0a1b2c3d4e5f6071', principalId: 'AROA2EXAMPLESSO00001:alice@example.com' },
    });
    expect(classifyPrincipal(finding)).toMatchObject({
      kind: 'role',
      roleName: 'AWSReservedSSO_Billing_Read_Only_0a1b2c3d4e5f6071',
      identityCenter: { permissionSet: 'Billing_Read_Only', userName: 'alice@example.com' },
    });
  });

  it('an IAM Identity Center role whose name has no recognisable suffix still counts as one, its permission set unknown', () => {
    const finding = revokeFinding(ROLE_FINDING, { accessKeyDetails: { userType: 'AssumedRole', userName: 'AWSReservedSSO_Admin', principalId: 'AROA2EXAMPLESSO00001' } });
    expect(classifyPrincipal(finding)).toMatchObject({ kind: 'role', identityCenter: { permissionSet: null, userName: null } });
  });

  it('a FederatedUser whose finding names the issuing IAM user apart from the session name', () => {
    const finding = revokeFinding(ROLE_FINDING, { accessKeyDetails: { userType: 'FederatedUser', userName: 'partner-broker', principalId: '222222222222:partner-session' } });
    expect(classifyPrincipal(finding)).toEqual({
      kind: 'federated-user',
      issuerUserName: 'partner-broker',
      federatedName: 'partner-session',
      accessKeyId: 'ASIA2EXAMPLEETLJOB01',
      principalId: '222222222222:partner-session',
    });
  });

  it.each([
    ['partner-session', '222222222222:partner-session', 'is the session\'s own, caller-chosen name'],
    [null, '222222222222:partner-session', 'names no IAM user that issued the session'],
    ['arn:aws:sts::222222222222:federated-user/x', '222222222222:x', 'names no IAM user that issued the session'],
    ['partner-broker', 'AIDA2EXAMPLEUSER0001', 'is not "<account 222222222222>:<session name>"'],
    ['partner-broker', '333333333333:partner-session', 'is not "<account 222222222222>:<session name>"'],
    ['partner-broker', null, 'is not "<account 222222222222>:<session name>"'],
  ] as const)('a FederatedUser named %s (principal %s) is manual: %s', (userName, principalId, why) => {
    const finding = revokeFinding(ROLE_FINDING, { accessKeyDetails: { userType: 'FederatedUser', userName, principalId } });
    const principal = classifyPrincipal(finding);
    expect(principal.kind).toBe('unknown-issuer');
    expect(principal.kind === 'unknown-issuer' && principal.why).toContain(why);
  });

  it('a role without a session name', () => {
    expect(classifyPrincipal(revokeFinding(ROLE_FINDING))).toMatchObject({ kind: 'role', roleName: 'etl-job', sessionName: null, userType: 'Role' });
  });

  it.each(['IAMUser', 'Root', 'Federated', null])('instance credentials used elsewhere are the instance role, even when userType is %s', (userType) => {
    const finding = revokeFinding(INSTANCE_CREDENTIALS_FINDING, { accessKeyDetails: { userType } });
    expect(classifyPrincipal(finding)).toMatchObject({ kind: 'role', roleName: 'web-tier-role', sessionName: 'i-0a1b2c3d4e5f60718', instanceCredentials: true });
  });

  it.each([
    ['Root', 'root'],
    ['AWSService', 'aws-service'],
    ['Federated', 'federated'],
    ['AWSAccount', 'unknown'],
    [null, 'unknown'],
  ] as const)('userType %s is handled by people (%s)', (userType, kind) => {
    const finding = revokeFinding(USER_KEY_FINDING, { accessKeyDetails: { userType } });
    expect(classifyPrincipal(finding)).toMatchObject({ kind, userType, userName: 'deploy-bot', accessKeyId: 'AKIA2EXAMPLEKEY00001' });
  });

  it('the fixtures of root and federated findings', () => {
    expect(classifyPrincipal(revokeFinding(ROOT_FINDING)).kind).toBe('root');
    expect(classifyPrincipal(revokeFinding(FEDERATED_FINDING)).kind).toBe('federated');
  });

  it('never acts on the placeholder principal of a sample finding', () => {
    const finding = revokeFinding('sample-exfiltration.event.json');
    expect(classifyPrincipal(finding)).toMatchObject({ kind: 'unknown', why: 'userName "GeneratedFindingUserName" is a placeholder of a GuardDuty sample finding' });
  });

  it.each([
    ['IAMUser', 'arn:aws:iam::222222222222:user/deploy-bot', 'is not a valid IAM user name'],
    ['IAMUser', null, 'userName null is not a valid IAM user name'],
    ['AssumedRole', 'a'.repeat(65), 'is not a valid IAM role name'],
    ['Role', 'etl job', 'is not a valid IAM role name'],
  ] as const)('refuses a %s whose name %s is not an IAM name', (userType, userName, why) => {
    const finding = revokeFinding(USER_KEY_FINDING, { accessKeyDetails: { userType, userName } });
    const principal = classifyPrincipal(finding);
    expect(principal.kind).toBe('unknown');
    expect(principal.kind === 'unknown' && principal.why).toContain(why);
  });

  it('a finding without accessKeyDetails names nobody', () => {
    const finding = revokeFinding(USER_KEY_FINDING);
    const withoutDetails = { ...finding, resource: { resourceType: 'AccessKey' } };
    expect(classifyPrincipal(withoutDetails)).toMatchObject({ kind: 'unknown', why: 'the finding has no resource.accessKeyDetails' });
  });
});
