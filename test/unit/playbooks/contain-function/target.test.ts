import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import { VALUE_NOT_KEPT, withoutEnvironmentValues } from '../../../../lambda/playbooks/contain-function/discover';
import { functionTargetOf, parseRoleArn } from '../../../../lambda/finding/lambda-function';
import { loadFixture } from '../../../support/fixtures';

function withDetails(details: Record<string, unknown>): Finding {
  const base = parseFindings(loadFixture('contain-function/cnc-activity.event.json'))[0]!;
  return { ...base, resource: { ...base.resource, lambdaDetails: { ...base.resource!.lambdaDetails, ...details } } } as Finding;
}

describe('functionTargetOf', () => {
  it('takes the name, the version and the ARN when they agree with each other and the finding', () => {
    expect(functionTargetOf(withDetails({}))).toEqual({
      ok: true,
      target: { functionName: 'orders-webhook', version: '$LATEST', findingArn: 'arn:aws:lambda:us-east-1:222222222222:function:orders-webhook' },
    });
    expect(functionTargetOf(withDetails({ functionName: null }))).toMatchObject({ ok: true, target: { functionName: 'orders-webhook' } });
    expect(functionTargetOf(withDetails({ functionArn: 'arn:aws:lambda:us-east-1:222222222222:function:orders-webhook:12', functionVersion: '12' }))).toMatchObject({
      ok: true,
      target: { version: '12' },
    });
  });

  it.each([
    [{ functionName: 'orders webhook' }, "functionName is not a well-formed"],
    [{ functionName: 'a'.repeat(65), functionArn: null }, "functionName is not a well-formed"],
    [{ functionArn: 'arn:aws:lambda:us-east-1:222222222222:function:orders-webhook/../x' }, 'not a well-formed Lambda function ARN'],
    [{ functionArn: 'arn:aws:lambda:us-east-1:222222222222:function:other' }, 'names another function'],
    [{ functionArn: 'arn:aws:lambda:us-east-1:999999999999:function:orders-webhook' }, 'in account 999999999999'],
    [{ functionArn: 'arn:aws:lambda:eu-west-1:222222222222:function:orders-webhook' }, 'in region eu-west-1'],
    [{ functionVersion: '$LATEST;x' }, 'neither $LATEST nor a version number'],
    [{ functionArn: 'arn:aws:lambda:us-east-1:222222222222:function:orders-webhook:3', functionVersion: '4' }, 'another version'],
    [{ functionName: null, functionArn: null }, 'names no function'],
  ])('refuses %j', (details, why) => {
    const parsed = functionTargetOf(withDetails(details));
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.why).toContain(why);
  });
});

describe('parseRoleArn', () => {
  it('splits the path from the name', () => {
    expect(parseRoleArn('arn:aws:iam::222222222222:role/service-role/orders-exec')).toEqual({
      arn: 'arn:aws:iam::222222222222:role/service-role/orders-exec',
      accountId: '222222222222',
      path: '/service-role/',
      roleName: 'orders-exec',
    });
    expect(parseRoleArn('arn:aws:iam::222222222222:role/plain')).toMatchObject({ path: '/', roleName: 'plain' });
    expect(parseRoleArn('arn:aws:iam::222222222222:user/plain')).toBeUndefined();
    expect(parseRoleArn('arn:aws:iam::2222:role/plain')).toBeUndefined();
  });
});

describe('withoutEnvironmentValues (what the read log keeps of GetFunctionConfiguration)', () => {
  it('keeps every variable name and no value', () => {
    const answer = { FunctionName: 'f', Environment: { Variables: { TOKEN: 'secret', MODE: 'x' } } };
    expect(withoutEnvironmentValues(answer)).toEqual({ FunctionName: 'f', Environment: { Variables: { TOKEN: VALUE_NOT_KEPT, MODE: VALUE_NOT_KEPT } } });
    expect(answer.Environment.Variables.TOKEN).toBe('secret');
  });
});
