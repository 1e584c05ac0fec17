import { IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../support/fixtures';
import { runIr } from '../../support/run-ir';

/*
 * `ir plan --offline` on the revoke-credentials fixture of each principal
 * type and of each S3 data finding: the route, the changes planned (none for
 * the manual ones), what blocks them, and the S3 activity recorded.
 */

const tmp = mkdtempSync(join(tmpdir(), 'ir-principals-'));
const defaultsConfig = join(tmp, 'defaults.json');
writeFileSync(defaultsConfig, '{}');
mockClient(IAMClient).on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });

interface PlanJson {
  playbook: string;
  route: { ruleId: string };
  blockedBy: string[];
  steps: { id: string; mutating: boolean; parameters?: Record<string, unknown> }[];
  resource: Record<string, unknown>;
}

async function planOf(file: string): Promise<PlanJson> {
  const run = await runIr('plan', join(FIXTURES_DIR, 'revoke-credentials', file), '--offline', '--json', '--config', defaultsConfig);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as PlanJson[])[0]!;
}

const RECORD = 'record-restore:credentials';

describe('ir plan --offline, revoke-credentials', () => {
  it.each([
    ['credential-access-assumed-role.event.json', 'credential-misuse', [RECORD, 'revoke-role-sessions'], 'role'],
    ['role-session-get-findings.get-findings.json', 'credential-misuse', [RECORD, 'revoke-role-sessions'], 'role'],
    ['identity-center-role.event.json', 'credential-misuse', [], 'role'],
    ['federated-user-named-issuer.event.json', 'credential-misuse', [RECORD, 'revoke-user-sessions'], 'federated-user'],
    ['federated-user-unnamed-issuer.raw.json', 'credential-misuse', [], 'unknown-issuer'],
    ['root-console.get-findings.json', 'credential-misuse', [], 'root'],
    ['exfiltration-s3-assumed-role.event.json', 's3-data-by-principal', [RECORD, 'revoke-role-sessions'], 'role'],
    ['impact-s3-permission-user.get-findings.json', 's3-data-by-principal', [RECORD, 'deactivate-access-key', 'revoke-user-sessions'], 'iam-user'],
    ['unauthorized-s3-tor-sso.raw.json', 's3-data-by-principal', [], 'role'],
    ['pentest-s3-kali-federated.event.json', 's3-data-by-principal', [RECORD, 'revoke-user-sessions'], 'federated-user'],
    ['impact-s3-root.event.json', 's3-data-by-principal', [], 'root'],
  ] as const)('%s: rule %s, changes %j, principal %s', async (file, ruleId, changes, principal) => {
    const plan = await planOf(file);
    expect(plan.playbook).toBe('revoke-credentials');
    expect(plan.route.ruleId).toBe(ruleId);
    expect(plan.steps.filter((s) => s.mutating && s.id !== 'securityhub:note').map((s) => s.id)).toEqual(changes);
    expect(plan.resource.principal).toBe(principal);
    // Offline is always a dry-run; a principal nobody acts on is also a manual response.
    expect([...plan.blockedBy].sort()).toEqual(changes.length === 0 ? ['dry-run', 'manual-response'] : ['dry-run']);
    if (ruleId === 's3-data-by-principal') {
      const activity = plan.resource.s3Activity as { buckets: { arn: string }[]; api: string };
      expect(activity.buckets.length).toBeGreaterThan(0);
      for (const bucket of activity.buckets) expect(bucket.arn).toMatch(/^arn:aws:s3:::example-/);
      expect(activity.api).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    }
    else expect(plan.resource.s3Activity).toBeUndefined();
  });

  it('shows the exact PutUserPolicy of a federated session on the IAM user that issued it', async () => {
    const plan = await planOf('federated-user-named-issuer.event.json');
    expect(plan.steps.find((s) => s.id === 'revoke-user-sessions')?.parameters).toMatchObject({ UserName: 'partner-broker', PolicyName: 'AWSRevokeOlderSessions' });
  });
});
