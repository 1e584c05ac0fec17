import type { Finding } from '../../../lambda/finding/schema';
import { givenRole, givenUser, type IamStub } from './revoke-iam';
import {
  FEDERATED_FINDING,
  INSTANCE_CREDENTIALS_FINDING,
  revokeFinding,
  ROLE_FINDING,
  ROOT_FINDING,
  USER_KEY_FINDING,
  USER_TEMP_KEY_FINDING,
} from './revoke-findings';

/* One arranged case per kind of principal, for tests that must walk every branch. */

export interface RevokeScenario {
  readonly name: string;
  readonly finding: () => Finding;
  readonly arrange: (iam: IamStub) => void;
}

const deployBot = (iam: IamStub) =>
  givenUser(iam, {
    userName: 'deploy-bot',
    keys: [
      { accessKeyId: 'AKIA2EXAMPLEKEY00001', status: 'Active' },
      { accessKeyId: 'AKIA2EXAMPLEKEY00002', status: 'Active' },
    ],
  });

export const REVOKE_SCENARIOS: readonly RevokeScenario[] = [
  { name: 'IAM user, long-term key', finding: () => revokeFinding(USER_KEY_FINDING), arrange: deployBot },
  { name: 'IAM user, temporary key', finding: () => revokeFinding(USER_TEMP_KEY_FINDING), arrange: deployBot },
  { name: 'role', finding: () => revokeFinding(ROLE_FINDING), arrange: (iam) => givenRole(iam, { roleName: 'etl-job' }) },
  {
    name: 'assumed role',
    finding: () => revokeFinding(ROLE_FINDING, { accessKeyDetails: { userType: 'AssumedRole', principalId: 'AROA2EXAMPLEETL00001:etl-run-42' } }),
    arrange: (iam) => givenRole(iam, { roleName: 'etl-job' }),
  },
  {
    name: 'instance credentials used outside AWS',
    finding: () => revokeFinding(INSTANCE_CREDENTIALS_FINDING, { accessKeyDetails: { userType: 'IAMUser' } }),
    arrange: (iam) => givenRole(iam, { roleName: 'web-tier-role' }),
  },
  { name: 'root', finding: () => revokeFinding(ROOT_FINDING), arrange: () => undefined },
  { name: 'federated', finding: () => revokeFinding(FEDERATED_FINDING), arrange: () => undefined },
  {
    name: 'AWS service',
    finding: () => revokeFinding(ROLE_FINDING, { accessKeyDetails: { userType: 'AWSService', userName: 'ec2.amazonaws.com', principalId: 'ec2.amazonaws.com' } }),
    arrange: () => undefined,
  },
];
