import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operatorResponder } from '../../../cli/responder';
import { parseConfig } from '../../../lambda/config/schema';
import { FIXTURES_DIR } from '../../support/fixtures';
import { runIr } from '../../support/run-ir';

/*
 * `ir` runs with the operator's credentials, outside the stack that sets
 * IR_PROTECTED_ROLE_NAMES: it must still know the responder's own roles
 * and refuse to revoke them.
 */

const tmp = mkdtempSync(join(tmpdir(), 'ir-responder-'));

function configFile(name: string, config: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** A role-credential finding whose role is `roleName`. */
function findingNamingRole(roleName: string): string {
  const event = JSON.parse(readFileSync(join(FIXTURES_DIR, 'revoke-credentials', 'exfiltration-role.event.json'), 'utf8')) as {
    detail: { resource: { accessKeyDetails: { userName: string } } };
  };
  event.detail.resource.accessKeyDetails.userName = roleName;
  const path = join(tmp, `${roleName}.json`);
  writeFileSync(path, JSON.stringify(event));
  return path;
}

describe('operatorResponder', () => {
  it('protects every playbook role of the deployment in the regions of the findings when none are configured', () => {
    const responder = operatorResponder({ config: parseConfig({}, 'test'), stackName: 'IR', source: 'test' }, ['us-east-1', 'us-east-1'], ['break-glass']);
    expect(responder.protectedRoleNames).toEqual([
      'IR-contain-instance-us-east-1',
      'IR-revoke-credentials-us-east-1',
      'IR-contain-database-us-east-1',
      'IR-quarantine-image-us-east-1',
      'IR-notify-us-east-1',
      'break-glass',
    ]);
  });

  it('protects the roles of every configured region, whatever region the finding is in', () => {
    const responder = operatorResponder({ config: parseConfig({ regions: ['eu-west-1', 'us-east-1'] }, 'test'), stackName: 'IR', source: 'test' }, ['us-east-1']);
    expect(responder.protectedRoleNames).toEqual([
      'IR-contain-instance-eu-west-1',
      'IR-revoke-credentials-eu-west-1',
      'IR-contain-database-eu-west-1',
      'IR-quarantine-image-eu-west-1',
      'IR-notify-eu-west-1',
      'IR-contain-instance-us-east-1',
      'IR-revoke-credentials-us-east-1',
      'IR-contain-database-us-east-1',
      'IR-quarantine-image-us-east-1',
      'IR-notify-us-east-1',
    ]);
  });
});

describe('ir refuses to revoke the responder itself', () => {
  beforeEach(() => {
    process.env.NO_COLOR = '1';
  });

  it.each([
    ['the default deployment', {}, 'GuardDutyIncidentResponse-revoke-credentials-us-east-1'],
    ['another region of a multi-region deployment', { regions: ['eu-west-1', 'us-east-1'] }, 'GuardDutyIncidentResponse-contain-instance-eu-west-1'],
  ])('%s', async (_label, config, roleName) => {
    const run = await runIr('plan', findingNamingRole(roleName), '--offline', '--json', '--config', configFile(`${roleName}.config.json`, config));
    expect(run.code).toBe(0);
    const [plan] = JSON.parse(run.stdout) as { blockedBy: string[]; guards: { id: string; reason: string; blocks: boolean }[] }[];
    expect(plan.blockedBy).toContain('protected-principal');
    expect(plan.guards.find((g) => g.id === 'protected-principal')?.reason).toContain(`role ${roleName} is one of the responder's own roles`);
  });

  it('still plans the revocation of a role that is not the responder', async () => {
    const run = await runIr('plan', findingNamingRole('etl-job'), '--offline', '--json', '--config', configFile('plain.json', {}));
    const [plan] = JSON.parse(run.stdout) as { blockedBy: string[] }[];
    expect(plan.blockedBy).not.toContain('protected-principal');
  });
});
