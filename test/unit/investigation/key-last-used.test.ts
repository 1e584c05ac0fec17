import { GetAccessKeyLastUsedCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { TimeBudget } from '../../../lambda/investigation/budget';
import { readKeyLastUsed } from '../../../lambda/investigation/key-last-used';
import { iamError } from '../../support/aws-mocks/revoke-iam';
import { fakeClock } from '../../support/aws-mocks/revoke-investigation';

const iam = mockClient(IAMClient);
const client = new IAMClient({ region: 'us-east-1', maxAttempts: 1 });
const KEY = 'AKIA2EXAMPLEKEY00001';

beforeEach(() => {
  iam.reset();
  iam.rejects(iamError('UnexpectedCall'));
});

const read = () => readKeyLastUsed(client, KEY, new TimeBudget(10_000, fakeClock()));

describe('readKeyLastUsed', () => {
  it('asks IAM about exactly that key and reports when, for which service and where it was last used', async () => {
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY }).resolves({
      UserName: 'deploy-bot',
      AccessKeyLastUsed: { LastUsedDate: new Date('2026-11-22T09:58:00Z'), ServiceName: 's3', Region: 'eu-west-1' },
    });

    const evidence = await read();

    expect(iam.commandCalls(GetAccessKeyLastUsedCommand).map((c) => c.args[0].input)).toEqual([{ AccessKeyId: KEY }]);
    expect(evidence).toEqual({
      kind: 'access-key-last-used',
      accessKeyId: KEY,
      userName: 'deploy-bot',
      lastUsedDate: '2026-11-22T09:58:00.000Z',
      serviceName: 's3',
      region: 'eu-west-1',
    });
  });

  it('reads "N/A" as no record of use', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'deploy-bot', AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });

    expect(await read()).toEqual({ kind: 'access-key-last-used', accessKeyId: KEY, userName: 'deploy-bot', lastUsedDate: null, serviceName: null, region: null });
  });

  it.each(['AccessDenied', 'Throttling', 'NoSuchEntity'])('lets %s through, for the step to report', async (code) => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(iamError(code));

    await expect(read()).rejects.toMatchObject({ Code: code });
  });
});
