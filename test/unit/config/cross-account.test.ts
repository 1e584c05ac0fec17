import { DEFAULT_RUNTIME_CONFIG, parseConfig, parseRuntimeConfig, runtimeConfigOf } from '../../../lambda/config/schema';
import { configError } from '../../support/errors';


describe('cross-account and region configuration', () => {
  it('defaults: the IncidentResponseMemberRole, every account, one stack, no operators, no organization, no security account', () => {
    const config = parseConfig({}, 'defaults');
    expect(config).toMatchObject({ memberRoleName: 'IncidentResponseMemberRole', accounts: { exclude: [] }, regions: [], operatorPrincipals: [] });
    expect(config.accounts.allow).toBeUndefined();
    expect(config.organizationId).toBeUndefined();
    expect(config.securityAccountId).toBeUndefined();
  });

  it('accepts one detector id per region for a configuration deployed to several, and one detectorId for one region', () => {
    const perRegion = { 'eu-west-1': 'aa11bb22cc33dd44ee55ff6677889900', 'us-east-1': '12abc34d567e8fa901bc2d34e56789f0' };
    expect(parseConfig({ regions: ['eu-west-1', 'us-east-1'], guardDuty: { detectorIds: perRegion } }, 'cdk.json').guardDuty.detectorIds).toEqual(perRegion);
    expect(parseConfig({ regions: ['eu-west-1'], guardDuty: { detectorId: perRegion['eu-west-1'] } }, 'cdk.json').guardDuty.detectorId).toBe(perRegion['eu-west-1']);
  });

  it('accepts a full cross-account setup', () => {
    const input = {
      memberRoleName: 'Ir.Member-Role',
      accounts: { allow: ['111122223333', '444455556666'], exclude: ['444455556666'] },
      regions: ['eu-west-1', 'us-east-1', 'ap-southeast-7'],
      securityAccountId: '999988887777',
      operatorPrincipals: [
        'arn:aws:iam::999988887777:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_SecOps_0123456789abcdef',
        'arn:aws:iam::999988887777:user/break-glass',
        'arn:aws:iam::999988887777:root',
        'arn:aws:sts::999988887777:assumed-role/SecOps/alice',
        'arn:aws-us-gov:iam::999988887777:role/SecOps',
      ],
      organizationId: 'o-a1b2c3d4e5',
    };
    expect(parseConfig(input, 'x')).toMatchObject(input);
  });

  it('hands the Lambdas memberRoleName and accounts, and keeps the deploy-only keys out', () => {
    const config = parseConfig(
      { memberRoleName: 'IrMember', accounts: { allow: ['111122223333'] }, regions: ['eu-west-1'], securityAccountId: '999988887777', organizationId: 'o-a1b2c3d4e5' },
      'x',
    );
    const runtime = runtimeConfigOf(config);
    expect(runtime).toEqual({ ...DEFAULT_RUNTIME_CONFIG, memberRoleName: 'IrMember', accounts: { allow: ['111122223333'], exclude: [] } });
    // What the stack writes into IR_RUNTIME_CONFIG reads back the same.
    expect(parseRuntimeConfig(JSON.parse(JSON.stringify(runtime)), 'IR_RUNTIME_CONFIG')).toEqual(runtime);
    expect(() => parseRuntimeConfig({ regions: ['eu-west-1'] }, 'IR_RUNTIME_CONFIG')).toThrow('unknown key "regions"');
  });

  it.each([
    [{ accounts: { allow: [] } }, '"accounts.allow": an empty allow list would act in no account'],
    [{ accounts: { allow: ['12345'] } }, '"accounts.allow.0": must be a 12-digit AWS account id'],
    [{ accounts: { exclude: ['abcdefghijkl'] } }, '"accounts.exclude.0": must be a 12-digit AWS account id'],
    [{ accounts: { allow: ['111122223333', '111122223333'] } }, '"accounts.allow": must not list the same account twice'],
    [{ accounts: { allow: ['111122223333'], exclude: ['111122223333'] } }, '"accounts.allow": every account of accounts.allow is also in accounts.exclude'],
    [{ accounts: { deny: ['111122223333'] } }, 'unknown key "accounts.deny"'],
    [{ accounts: ['111122223333'] }, '"accounts"'],
    [{ memberRoleName: 'role/with/path' }, '"memberRoleName": must be an IAM role name'],
    [{ memberRoleName: 'x'.repeat(65) }, '"memberRoleName"'],
    [{ memberRoleName: '' }, '"memberRoleName"'],
    [{ regions: ['eu-west'] }, '"regions.0": must be an AWS region name'],
    [{ regions: ['EU-WEST-1'] }, '"regions.0"'],
    [{ regions: ['eu-west-1', 'eu-west-1'] }, '"regions": must not list the same region twice'],
    [{ regions: ['eu-west-1', 'us-east-1'], guardDuty: { detectorId: '12abc34d567e8fa901bc2d34e56789f0' } }, '"guardDuty.detectorId": is the detector of one region'],
    [{ guardDuty: { detectorIds: { 'eu-west': '12abc34d567e8fa901bc2d34e56789f0' } } }, '"guardDuty.detectorIds'],
    [{ regions: ['eu-west-1'], guardDuty: { detectorIds: { 'eu-west-2': '12abc34d567e8fa901bc2d34e56789f0' } } }, '"guardDuty.detectorIds": lists a region that is not one of "regions"'],
    [{ guardDuty: { detectorIds: { 'eu-west-1': 'not a detector id!' } } }, '"guardDuty.detectorIds.eu-west-1": must be a GuardDuty detector id'],
    [{ securityAccountId: '1234' }, '"securityAccountId": must be a 12-digit AWS account id'],
    [{ securityAccountId: 123456789012 }, '"securityAccountId"'],
    [{ organizationId: 'o-short' }, '"organizationId": must be an AWS Organizations id'],
    [{ organizationId: 'r-a1b2c3d4e5' }, '"organizationId"'],
    [{ operatorPrincipals: ['SecOps'] }, '"operatorPrincipals.0": must be the ARN of an IAM role, user, account root or role session'],
    [{ operatorPrincipals: ['arn:aws:iam::*:role/SecOps'] }, '"operatorPrincipals.0"'],
    [{ operatorPrincipals: ['arn:aws:iam::999988887777:group/admins'] }, '"operatorPrincipals.0"'],
    [{ operatorPrincipals: ['*'] }, '"operatorPrincipals.0"'],
  ])('rejects %j naming the key', (input, expected) => {
    const message = configError(input);
    expect(message).toContain('invalid configuration in cdk.json');
    expect(message).toContain(expected);
  });
});
