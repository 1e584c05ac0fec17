import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPlan } from '../../../cli/render/plan-text';
import type { PlanDocument, StepDocument } from '../../../lambda/plan/document';
import { FIXTURES_DIR } from '../../support/fixtures';
import { runIr } from '../../support/run-ir';

/*
 * `ir plan` shows, for each change the approval policy governs, what it decided and by which rule: in the
 * text and in --json. Offline: the finding's own tags are the resource's.
 */

const tmp = mkdtempSync(join(tmpdir(), 'ir-plan-approval-'));
const FINDING = join(FIXTURES_DIR, 'contain-instance/crypto-bitcoin-tool.event.json');

function configFile(approval: unknown): string {
  const file = join(tmp, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ mode: 'enforce', approval }));
  return file;
}

const POLICY = {
  defaults: { 'detach-auto-scaling': 'approve' },
  rules: [
    { id: 'member-isolation', class: 'isolate', mode: 'approve', match: { accounts: ['222222222222'], severity: { min: 7 } } },
    { id: 'no-tagging-low', class: 'isolate', mode: 'never', match: { severity: { max: 3 } } },
  ],
};

beforeEach(() => {
  process.env.NO_COLOR = '1';
});

describe('ir plan with an approval policy', () => {
  it('--json: each change of a class carries its decision; evidence and records none', async () => {
    const run = await runIr('plan', FINDING, '--offline', '--json', '--config', configFile(POLICY));
    expect(run.stderr).not.toContain('invalid');
    expect(run.code).toBe(0);
    const [plan] = JSON.parse(run.stdout) as PlanDocument[];
    const governed = plan!.steps.filter((s) => s.approval);
    expect(governed.length).toBeGreaterThan(0);
    for (const step of governed) {
      expect(step.approval).toEqual({
        mode: 'approve',
        changeClass: 'isolate',
        ruleId: 'member-isolation',
        why: 'rule member-isolation (isolate, account 222222222222, severity 7 to 10): approve',
      });
    }
    expect(plan!.steps.find((s) => s.id === 'snapshot-volumes')?.approval).toBeUndefined();
    expect(plan!.steps.filter((s) => s.id.startsWith('record-restore:')).every((s) => s.approval === undefined)).toBe(true);
  });

  it('the text names the mode and the rule on each governed change, and only there', async () => {
    const run = await runIr('plan', FINDING, '--offline', '--config', configFile(POLICY));
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const tagLine = lines.find((l) => l.includes('Tag i-'));
    expect(tagLine).toMatch(/ approve \(rule member-isolation\)$/);
    const snapshotLine = lines.find((l) => l.includes('snapshot') || l.includes('Snapshot'));
    expect(snapshotLine).toBeDefined();
    expect(snapshotLine).not.toContain('(rule ');
  });

  it('says nothing of approval without the key: the plan as before', async () => {
    const run = await runIr('plan', FINDING, '--offline', '--json', '--config', configFile(undefined));
    const [plan] = JSON.parse(run.stdout) as PlanDocument[];
    expect(plan!.steps.some((s) => 'approval' in s)).toBe(false);
  });

  it('stops with the bad key named when the policy is invalid', async () => {
    const run = await runIr('plan', FINDING, '--offline', '--config', configFile({ rules: [{ id: 'x', class: 'isolate', mode: 'auto', match: { tags: { env: 'dev' } } }] }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"approval.rules.0.mode": a rule that matches on tags cannot be "auto"');
  });
});

describe('renderPlan', () => {
  const step = (id: string, approval?: StepDocument['approval']): StepDocument => ({
    id,
    title: `Step ${id}`,
    action: 'ec2:CreateTags',
    iamActions: ['ec2:CreateTags'],
    target: 'i-1',
    parameters: {},
    mutating: true,
    why: 'test',
    stage: 1,
    requires: [],
    ...(approval ? { approval } : {}),
  });
  const doc = (steps: StepDocument[]): PlanDocument => ({
    playbook: 'contain-instance',
    findingId: 'f-1',
    findingType: 'Backdoor:EC2/C&CActivity.B',
    severity: 8,
    accountId: '222222222222',
    region: 'us-east-1',
    incidentId: 'ir-1',
    dryRun: false,
    offline: true,
    route: { ruleId: 'instance', why: 'test' },
    blockedBy: [],
    guards: [],
    warnings: [],
    resource: {},
    reads: [],
    steps,
  });

  it('shows auto, approve and never with their rule; a rule id is escaped like every value', () => {
    const text = renderPlan(
      doc([
        step('a', { mode: 'auto', changeClass: 'isolate', ruleId: 'default', why: 'x' }),
        step('b', { mode: 'approve', changeClass: 'isolate', ruleId: 'prod', why: 'x' }),
        step('c', { mode: 'never', changeClass: 'deactivate-key', ruleId: 'keep\nkeys', why: 'x' }),
        step('d'),
      ]),
    );
    const lines = text.split('\n');
    expect(lines.find((l) => l.includes('Step a'))).toMatch(/ auto \(rule default\)$/);
    expect(lines.find((l) => l.includes('Step b'))).toMatch(/ approve \(rule prod\)$/);
    expect(lines.find((l) => l.includes('Step c'))).toContain(' never (rule keep');
    expect(lines.find((l) => l.includes('Step d'))).not.toContain('(rule ');
    expect(lines.some((l) => l.startsWith('keys'))).toBe(false);
  });
});
