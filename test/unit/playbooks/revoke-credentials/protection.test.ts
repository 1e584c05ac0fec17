import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import type { Finding } from '../../../../lambda/finding/schema';
import type { PlanningInput } from '../../../../lambda/playbooks/types';
import {
  exemptPrincipalVerdict,
  manualResponseVerdict,
  principalProtection,
  unreadableVerdict,
} from '../../../../lambda/playbooks/revoke-credentials/protection';
import type { IamEntity, Lookup } from '../../../../lambda/playbooks/revoke-credentials/facts';

const found = (path: string): Lookup<IamEntity> => ({ state: 'found', value: { id: null, arn: null, path, tags: {} } });
const failed: Lookup<IamEntity> = { state: 'failed', error: { code: 'AccessDenied', message: 'no', retryable: false } };

function input(credentials: Partial<RuntimeConfig['credentials']> = {}): PlanningInput<unknown> {
  const config = { ...DEFAULT_RUNTIME_CONFIG, credentials: { ...DEFAULT_RUNTIME_CONFIG.credentials, ...credentials } };
  return {
    finding: { id: 'f', type: 'x', severity: 5, accountId: '111122223333' } as Finding,
    facts: {},
    config,
    incidentId: 'ir-0123456789abcdef',
    now: new Date(0),
    responder: { protectedRoleNames: ['ir-revoke-credentials'] },
  };
}

const role = (name: string, path: string | null = '/', accountId: string | null = '111122223333') => ({ kind: 'role' as const, name, path, accountId });
const user = (name: string, accountId: string | null = '111122223333') => ({ kind: 'user' as const, name, path: '/', accountId });

describe('principalProtection', () => {
  it.each([
    ['the responder role', role('ir-revoke-credentials'), "role ir-revoke-credentials is one of the responder's own roles"],
    ['the responder role in another case', role('IR-Revoke-Credentials'), "role IR-Revoke-Credentials is one of the responder's own roles"],
    ['a service-linked path', role('custom-name', '/aws-service-role/elasticbeanstalk.amazonaws.com/'), 'is service-linked (path /aws-service-role/'],
    ['a service-linked name, path unknown', role('AWSServiceRoleForSupport', null), 'is named like a service-linked role'],
  ])('blocks %s, with the manual step', (_what, principal, reason) => {
    const ruling = principalProtection(principal, input());
    expect(ruling.verdict).toMatchObject({ id: 'protected-principal', blocks: true });
    expect(ruling.verdict.reason).toContain(reason);
    expect(ruling.protection!.manualStep).toContain('Instead, by hand:');
  });

  it('blocks a configured protected role or user, exactly as the pattern names it', () => {
    const protectedPrincipals = ['arn:aws:iam::111122223333:role/BreakGlass', 'arn:aws:iam::*:user/oncall-*'];
    expect(principalProtection(role('BreakGlass'), input({ protectedPrincipals })).verdict).toEqual({
      id: 'protected-principal',
      blocks: true,
      reason:
        'role BreakGlass is a protected (break-glass) principal (credentials.protectedPrincipals: arn:aws:iam::111122223333:role/BreakGlass): ' +
        'the responder never deactivates its keys nor revokes its sessions',
    });
    expect(principalProtection(user('oncall-alice', '444455556666'), input({ protectedPrincipals })).verdict.blocks).toBe(true);
    expect(principalProtection(user('BreakGlass'), input({ protectedPrincipals })).verdict.blocks).toBe(false);
    expect(principalProtection(role('BreakGlass', '/', '444455556666'), input({ protectedPrincipals })).verdict.blocks).toBe(false);
    expect(principalProtection(role('BreakGlass2'), input({ protectedPrincipals })).verdict.blocks).toBe(false);
  });

  it('lets an ordinary role or user through, and says what it checked', () => {
    expect(principalProtection(role('etl-job', '/jobs/'), input()).verdict).toEqual({
      id: 'protected-principal',
      blocks: false,
      reason: "role etl-job is neither service-linked, one of the responder's own roles, nor in credentials.protectedPrincipals",
    });
    expect(principalProtection(role('etl-job', null), input()).verdict.blocks).toBe(false);
    expect(principalProtection(user('deploy-bot'), input()).verdict).toEqual({
      id: 'protected-principal',
      blocks: false,
      reason: 'IAM user deploy-bot is not in credentials.protectedPrincipals',
    });
  });

  it('a role path that merely contains the service-linked prefix is not service-linked', () => {
    expect(principalProtection(role('etl-job', '/team/aws-service-role/'), input()).verdict.blocks).toBe(false);
  });
});

describe('exemptPrincipalVerdict', () => {
  it('exempts only what credentials.exemptPrincipals names', () => {
    const exemptPrincipals = ['arn:aws:iam::111122223333:user/honeypot-*'];
    expect(exemptPrincipalVerdict(user('honeypot-1'), input({ exemptPrincipals }))).toEqual({
      id: 'exempt-principal',
      blocks: true,
      reason: 'IAM user honeypot-1 is exempt (credentials.exemptPrincipals: arn:aws:iam::111122223333:user/honeypot-*): the responder does not act on it',
    });
    expect(exemptPrincipalVerdict(user('deploy-bot'), input({ exemptPrincipals }))).toEqual({
      id: 'exempt-principal',
      blocks: false,
      reason: "IAM user deploy-bot is not in credentials.exemptPrincipals (a principal's own tags never exempt it)",
    });
    expect(exemptPrincipalVerdict(role('honeypot-1'), input({ exemptPrincipals })).blocks).toBe(false);
  });
});

describe('unreadableVerdict', () => {
  it('blocks only when the read failed', () => {
    expect(unreadableVerdict('IAM role etl-job', failed, 'GetRole')).toEqual([
      {
        id: 'principal-unreadable',
        blocks: true,
        reason: 'IAM role etl-job could not be read (GetRole: AccessDenied), so it could not be verified; nothing is changed',
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
