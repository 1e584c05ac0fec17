import {
  manualResponseVerdict,
  roleProtectionVerdict,
  unreadableVerdict,
} from '../../../../lambda/playbooks/revoke-credentials/protection';
import type { IamEntity, Lookup } from '../../../../lambda/playbooks/revoke-credentials/facts';

const responder = { protectedRoleNames: ['ir-revoke-credentials'] };
const found = (path: string): Lookup<IamEntity> => ({ state: 'found', value: { arn: null, path, tags: {} } });
const failed: Lookup<IamEntity> = { state: 'failed', error: { code: 'AccessDenied', message: 'no', retryable: false } };

describe('roleProtectionVerdict', () => {
  it.each([
    ['the responder role', 'ir-revoke-credentials', found('/'), "role ir-revoke-credentials is one of the responder's own roles"],
    ['a service-linked path', 'custom-name', found('/aws-service-role/elasticbeanstalk.amazonaws.com/'), 'is service-linked (path /aws-service-role/'],
    ['a service-linked name, unread', 'AWSServiceRoleForSupport', failed, 'is named like a service-linked role'],
    ['a service-linked name, offline', 'AWSServiceRoleForSupport', { state: 'not-read' } as const, 'is named like a service-linked role'],
  ])('blocks %s', (_what, roleName, lookup, reason) => {
    const verdict = roleProtectionVerdict(roleName, lookup, responder);
    expect(verdict).toMatchObject({ id: 'protected-principal', blocks: true });
    expect(verdict.reason).toContain(reason);
  });

  it('lets an ordinary role through, also when its path was not read', () => {
    expect(roleProtectionVerdict('etl-job', found('/jobs/'), responder).blocks).toBe(false);
    expect(roleProtectionVerdict('etl-job', failed, responder).blocks).toBe(false);
  });

  it('a role path that merely contains the service-linked prefix is not service-linked', () => {
    expect(roleProtectionVerdict('etl-job', found('/team/aws-service-role/'), responder).blocks).toBe(false);
  });
});

describe('unreadableVerdict', () => {
  it('blocks only when the read failed', () => {
    expect(unreadableVerdict('IAM role etl-job', failed, 'GetRole')).toEqual([
      {
        id: 'principal-unreadable',
        blocks: true,
        reason: 'IAM role etl-job could not be read (GetRole: AccessDenied), so the exempt-tag guard cannot see its tags; nothing is changed',
      },
    ]);
    expect(unreadableVerdict('IAM role etl-job', found('/'), 'GetRole')).toEqual([]);
    expect(unreadableVerdict('IAM role etl-job', { state: 'not-read' }, 'GetRole')).toEqual([]);
    expect(unreadableVerdict('IAM role etl-job', { state: 'missing', error: { code: 'NoSuchEntity', message: '', retryable: false } }, 'GetRole')).toEqual([]);
  });
});

describe('manualResponseVerdict', () => {
  it('blocks and points at the manual steps', () => {
    expect(manualResponseVerdict('userType is Root: the account root user')).toEqual({
      id: 'manual-response',
      blocks: true,
      reason: 'userType is Root: the account root user: the responder does not revoke these credentials itself; see the warnings for the manual steps',
    });
  });
});
