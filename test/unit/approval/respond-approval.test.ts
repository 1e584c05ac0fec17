import { PublishCommand } from '@aws-sdk/client-sns';
import { approvalSchema } from '../../../lambda/approval/schema';
import type { RuntimeConfig } from '../../../lambda/config/schema';
import { answerOf } from '../../../lambda/ledger/answered';
import type { Report } from '../../../lambda/plan/document';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { preparePlan, respond } from '../../../lambda/respond/respond';
import { containFinding, DNS_REBIND_TYPE, enforceConfig, NOW, RESPONDER, WITHOUT_SECURITY_HUB_NOTE } from '../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { INSTANCE_ID } from '../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * The approval policy through the whole response path (mocked clients): the
 * plan carries each change's decision, and until the wait exists a change
 * held for approval (or refused) is skipped with the rule named, with every
 * step that needs it, while evidence and every `auto` change still run.
 * The test instance is tagged env=prod (containFinding); the finding is an
 * instance credential theft, so the profile and the role's sessions are in the plan.
 */

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const harness = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const guardDuty = useGuardDuty();

const finding = () => containFinding({ type: DNS_REBIND_TYPE });

const RULES = [
  { id: 'prod-isolation', class: 'isolate', mode: 'approve', match: { tags: { env: 'prod' } } },
  { id: 'keep-profile', class: 'remove-instance-profile', mode: 'never' },
];
const policy = (input: unknown): Partial<RuntimeConfig> => ({ approval: approvalSchema.parse(input) });
const PROD_ISOLATION = policy({ rules: RULES });

function configWith(extra: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return enforceConfig({ ...WITHOUT_SECURITY_HUB_NOTE, ...extra });
}

function run(config: RuntimeConfig, dryRun = false): Promise<Report> {
  guardDuty.holds(finding());
  return respond(finding(), { config, clients: harness.clients, dryRun, topicArn: TOPIC, responder: RESPONDER, now: () => NOW });
}

beforeEach(() => {
  harness.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('the plan', () => {
  it('carries, on every step of a change class, the decision and the rule that gave it; evidence and records carry none', async () => {
    guardDuty.holds(finding());
    const prepared = await preparePlan(finding(), { config: configWith(PROD_ISOLATION), clients: harness.clients, dryRun: false, responder: RESPONDER, now: () => NOW });
    const byClass = new Map(prepared.steps.filter((s) => s.changeClass).map((s) => [s.id, s]));
    expect(byClass.size).toBeGreaterThan(0);
    for (const step of prepared.steps) {
      const decision = step.approval;
      if (!step.changeClass || step.compensates !== undefined) {
        expect(decision).toBeUndefined();
        continue;
      }
      if (step.changeClass === 'isolate') expect(decision).toMatchObject({ mode: 'approve', changeClass: 'isolate', ruleId: 'prod-isolation' });
      else if (step.changeClass === 'remove-instance-profile') expect(decision).toMatchObject({ mode: 'never', ruleId: 'keep-profile' });
      else expect(decision).toMatchObject({ mode: 'auto', ruleId: 'default' });
    }
    // The document every report, dry-run, email and `ir plan --json` is made of shows it.
    const documented = prepared.document.steps.find((s) => s.id === 'tag-instance');
    expect(documented?.approval).toMatchObject({ mode: 'approve', ruleId: 'prod-isolation' });
    expect(prepared.document.steps.find((s) => s.id === 'snapshot-volumes')?.approval).toBeUndefined();
    expect(new Set(prepared.steps.map((s) => s.approval?.changeClass))).toEqual(new Set([undefined, 'isolate', 'remove-instance-profile', 'revoke-sessions']));
  });

  it('carries no decision at all without the approval key', async () => {
    const prepared = await preparePlan(finding(), { config: configWith(), dryRun: false, responder: RESPONDER, now: () => NOW });
    expect(prepared.steps.filter((s) => s.approval !== undefined)).toEqual([]);
    expect(prepared.document.steps.filter((s) => 'approval' in s)).toEqual([]);
  });

  it('decides the same on a resource without the tag: the untagged instance is isolated at once', async () => {
    const untagged = containFinding({ type: DNS_REBIND_TYPE, tags: { Name: 'web-01' } });
    const prepared = await preparePlan(untagged, { config: configWith(PROD_ISOLATION), dryRun: false, responder: RESPONDER, now: () => NOW });
    expect(prepared.document.steps.find((s) => s.id === 'tag-instance')?.approval).toMatchObject({ mode: 'auto', ruleId: 'default' });
  });
});

describe('a response with changes the policy holds', () => {
  it('skips them with the rule named, and the steps that need them; runs the evidence and the auto changes', async () => {
    // As discovered: the instance itself carries env=prod (contain-world.ts).
    const report = await run(configWith(PROD_ISOLATION));
    const isolation = report.steps.filter((s) => s.approval?.changeClass === 'isolate');
    expect(isolation.length).toBeGreaterThan(0);
    for (const step of isolation) {
      expect(step.status).toBe('skipped');
      expect(step.reason).toMatch(/^awaits approval/);
    }
    expect(report.steps.find((s) => s.id === 'tag-instance')).toMatchObject({
      reason: expect.stringMatching(/^awaits approval \(rule prod-isolation\), and this run cannot wait for one: /),
      approval: { mode: 'approve', changeClass: 'isolate', ruleId: 'prod-isolation', why: 'rule prod-isolation (isolate, tag env=prod): approve, stricter than auto (the default); tags only ever tighten the policy' },
    });
    const profile = report.steps.find((s) => s.approval?.changeClass === 'remove-instance-profile');
    expect(profile).toMatchObject({ status: 'skipped' });
    expect(profile?.reason).toMatch(/^not made: the approval policy says never \(rule keep-profile\)/);
    // Nothing of the isolation and the profile was sent; the snapshots, the preservation and the revocation were.
    expect(harness.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
    expect(harness.callsOf('CreateSecurityGroup')).toEqual([]);
    expect(harness.callsOf('DisassociateIamInstanceProfile')).toEqual([]);
    expect(harness.callsOf('CreateTags').filter((c) => JSON.stringify(c).includes('ir:incident-id') && (c.Resources as string[]).includes(INSTANCE_ID))).toEqual([]);
    expect(harness.callsOf('CreateSnapshots')).toHaveLength(1);
    expect(harness.callsOf('PutRolePolicy')).toHaveLength(1);
    expect(report.steps.find((s) => s.id === 'snapshot-volumes')?.status).toBe('done');
    expect(report.steps.find((s) => s.id === 'revoke-role-sessions')).toMatchObject({ status: 'done', approval: { mode: 'auto' } });
  });

  it('leaves the incident open (not decided yet), and the notification says approval is needed', async () => {
    const report = await run(configWith(PROD_ISOLATION));
    expect(answerOf(report)).toMatchObject({ answered: false });
    expect(answerOf(report).reason).toContain('this run could not wait for one');
    const [published] = harness.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    // Nothing waits for a decision (no ledger): never AWAITING APPROVAL; the role's sessions were revoked (a governed change): PARTLY.
    expect(published?.Subject).toMatch(/^\[GuardDuty IR NEEDS APPROVAL - PARTLY CONTAINED\] contain-instance: /);
    expect(published?.Message).toContain('NOT RUN, NEEDS APPROVAL: ');
    expect(published?.Message).toContain('Nothing waits for a decision: this run could not wait for one');
    // No request to approve: `ir approve` would find nothing pending.
    expect(published?.Message).not.toContain(`ir approve ${report.incidentId}`);
  });

  it('a policy that only refuses is a decision: the incident is answered', async () => {
    const report = await run(configWith(policy({ rules: [RULES[1]] })));
    expect(answerOf(report)).toMatchObject({ answered: true, kind: 'changes-done' });
    expect(answerOf(report).reason).toContain('which the approval policy says never to make');
  });

  it('in a dry-run, shows what the policy would then do', async () => {
    const report = await run(configWith(PROD_ISOLATION), true);
    expect(report.steps.find((s) => s.id === 'tag-instance')?.reason).toMatch(/^blocked by dry-run; then awaits approval \(rule prod-isolation\)/);
    expect(report.steps.find((s) => s.id === 'revoke-role-sessions')?.reason).toBe('blocked by dry-run');
  });

  it('with every class auto, is the plan without the key, and holds nothing back', async () => {
    const everyAuto = policy({ defaults: { isolate: 'auto' } });
    guardDuty.holds(finding());
    const prepare = (config: RuntimeConfig) => preparePlan(finding(), { config, clients: harness.clients, dryRun: false, responder: RESPONDER, now: () => NOW });
    const withKey = await prepare(configWith(everyAuto));
    const without = await prepare(configWith());
    expect(withKey.document.steps.map(({ approval: _decision, ...rest }) => rest)).toEqual(without.document.steps);
    expect(withKey.document.steps.filter((s) => s.approval).every((s) => s.approval?.mode === 'auto')).toBe(true);
    const report = await run(configWith(everyAuto));
    expect(report.steps.filter((s) => /^(awaits approval|not made: the approval policy)/.test(s.reason ?? ''))).toEqual([]);
    expect(harness.callsOf('ModifyNetworkInterfaceAttribute').length).toBeGreaterThan(0);
  });
});
