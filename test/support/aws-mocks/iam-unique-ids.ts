/*
 * IAM's unique ids of the principals the finding fixtures name. The IAM
 * mocks answer GetUser (UserId) and GetRole (RoleId) with these, and the
 * fixtures' accessKeyDetails.principalId carry the same ids
 * (test/unit/finding/fixture-principal-ids.test.ts holds the two together),
 * so the playbook's check that the principal read is the one that acted
 * passes where it should, and a test of a mismatch says so explicitly.
 */

export const USER_IDS: Readonly<Record<string, string>> = {
  'deploy-bot': 'AIDA2EXAMPLEUSER0001',
  alice: 'AIDA2EXAMPLEALICE001',
  'reports-uploader': 'AIDAEXAMPLEPARROT0001',
  'ci-deployer': 'AIDA2EXAMPLEPRINCIPAL',
};

export const ROLE_IDS: Readonly<Record<string, string>> = {
  'etl-job': 'AROA2EXAMPLEETL00001',
  'reports-export': 'AROA2EXAMPLEREPORT01',
  'ci-build': 'AROA2EXAMPLEBUILD001',
  'web-tier-role': 'AROA2EXAMPLEROLE0001',
  'data-pipeline': 'AROA2EXAMPLEDATA0001',
  'cleanup-job': 'AROAEXAMPLEDELETE',
  'web-fleet-role': 'AROA3EXAMPLEROLE0001',
  AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6071: 'AROA2EXAMPLESSO00001',
  AWSReservedSSO_DataReader_1a2b3c4d5e6f7081: 'AROA2EXAMPLESSO00002',
};

/** A principal no fixture names gets an id made from its name, the same every time (AIDA/AROA + the name's letters and digits). */
function madeUp(prefix: 'AIDA' | 'AROA', name: string): string {
  return `${prefix}${name.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(16, '0')}`;
}

export function userIdOf(userName: string): string {
  return USER_IDS[userName] ?? madeUp('AIDA', userName);
}

export function roleIdOf(roleName: string): string {
  return ROLE_IDS[roleName] ?? madeUp('AROA', roleName);
}
