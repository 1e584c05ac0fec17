import { PublishCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient, type STSClientResolvedConfig, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-sts';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { answerFromWorld, defaultWorld, mockContainClients } from './contain-world';

/*
 * A member account seen through the responder's client classes: every
 * contain-instance client answers from a fresh default world before each
 * test, SNS accepts the notification, and STS hands out the member role's
 * session key. For the tests that reach the member account the way the
 * Lambda does (AccountAccess, the playbook entry points), not through
 * ready-made clients.
 */

export interface MemberAccountMocks {
  readonly mocks: ReturnType<typeof mockContainClients>;
  readonly sts: AwsStub<ServiceInputTypes, ServiceOutputTypes, STSClientResolvedConfig>;
}

/** Registers the hooks of one test file (fresh world before each test, mocks restored after the file). */
export function useMemberAccountMocks(memberKey = 'ASIAMEMBER'): MemberAccountMocks {
  const mocks = mockContainClients();
  const sts = mockClient(STSClient);
  afterAll(() => {
    for (const stub of [...Object.values(mocks), sts]) stub.restore();
  });
  beforeEach(() => {
    const world = defaultWorld();
    answerFromWorld(mocks, () => world);
    mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    sts.reset();
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: memberKey, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
    });
  });
  return { mocks, sts };
}
