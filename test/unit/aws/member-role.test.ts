import { memberRoleArn, sessionNameFor } from '../../../lambda/aws/member-role';
import { parseArn } from '../../../lambda/aws/arn';
import { refusingClients } from '../../../lambda/aws/refusing-clients';
import { toStepError } from '../../../lambda/aws/errors';

describe('sessionNameFor', () => {
  it('is ir-<finding id> for a GuardDuty id', () => {
    expect(sessionNameFor('5eb1d2b54911b95b06b1c423bd5c0a11')).toBe('ir-5eb1d2b54911b95b06b1c423bd5c0a11');
  });

  it("replaces what IAM does not accept in a session name and keeps what it does ([\\w+=,.@-])", () => {
    expect(sessionNameFor('a/b:c d+e=f,g.h@i_j-k')).toBe('ir-a-b-c-d+e=f,g.h@i_j-k');
  });

  it('cuts at 64 characters', () => {
    const name = sessionNameFor('x'.repeat(100));
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^ir-x+$/);
  });
});

describe('memberRoleArn', () => {
  it('names the role in the account and partition', () => {
    expect(memberRoleArn('aws-cn', '222222222222', 'IrMember')).toBe('arn:aws-cn:iam::222222222222:role/IrMember');
  });
});

describe('parseArn', () => {
  it('reads every field, keeping colons of the resource', () => {
    expect(parseArn('arn:aws:lambda:eu-west-1:111111111111:function:ir-notify:live')).toEqual({
      partition: 'aws',
      service: 'lambda',
      region: 'eu-west-1',
      accountId: '111111111111',
      resource: 'function:ir-notify:live',
    });
  });

  it.each(['', 'not-an-arn', 'arn:aws:sns', 'urn:aws:sns:eu-west-1:1:t'])('rejects %j', (text) => {
    expect(parseArn(text)).toBeUndefined();
  });
});

describe('refusingClients', () => {
  it('fails any call with the code and the reason, naming the service', () => {
    const clients = refusingClients('no-account-access', 'role X could not be assumed in account 2');
    let thrown: unknown;
    try {
      void clients.ec2;
    } catch (error) {
      thrown = error;
    }
    expect(toStepError(thrown)).toEqual({ code: 'no-account-access', message: 'role X could not be assumed in account 2 (no ec2 call is made)', retryable: false });
  });

  it('is not mistaken for a promise', async () => {
    const clients = refusingClients('no-account-access', 'x');
    await expect(Promise.resolve(clients)).resolves.toBe(clients);
  });
});
