import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { parseFindings } from '../../../lambda/finding/parse';
import { summaryOf } from '../../../lambda/notify/summary';
import type { StepOutcome } from '../../../lambda/plan/types';
import { PLAYBOOKS } from '../../../lambda/playbooks/registry';
import type { PlaybookName } from '../../../lambda/routing/playbook-names';
import { loadFixture } from '../../support/fixtures';

/*
 * The summary line of the playbooks that say what they did in words of their own: the outcomes are those
 * of each playbook's own offline plan, so a renamed step id makes this fail instead of the line
 * silently falling back to "N changes made".
 */

function outcomesOf(playbook: PlaybookName, fixture: string, status: 'done' | 'failed'): { outcomes: StepOutcome[]; finding: ReturnType<typeof parseFindings>[number] } {
  const finding = parseFindings(loadFixture(fixture))[0]!;
  const book = PLAYBOOKS[playbook];
  const plan = book.plan({ finding, facts: book.offlineFacts(finding), config: DEFAULT_RUNTIME_CONFIG, incidentId: 'ir-0123456789abcdef', now: new Date('2026-12-07T00:00:00Z'), responder: { protectedRoleNames: [] } });
  const outcomes = plan.steps.map((step) => ({ id: step.id, title: step.title, action: step.action, target: step.target, mutating: step.mutating, status: step.mutating ? status : 'done', durationMs: 1 }) as StepOutcome);
  return { outcomes, finding };
}

function summaryLine(playbook: PlaybookName, fixture: string, status: 'done' | 'failed'): string {
  const { outcomes } = outcomesOf(playbook, fixture, status);
  return summaryOf(
    {
      outcome: status === 'done' ? 'DONE' : 'FAILED',
      playbook,
      findingType: 'type',
      account: { id: '222222222222', shown: '222222222222' },
      region: 'us-east-1',
      resource: { kind: 'X', id: 'x', label: 'the resource' },
      blocked: [],
      counts: { done: 1, failed: 0, skipped: 0 },
    } as Parameters<typeof summaryOf>[0],
    outcomes,
  );
}

describe('the summary line of the other resource types', () => {
  it.each([
    ['block-public-access', 'block-public-access/bucket-public-access-granted.event.json', 'Block Public Access turned on', 'Block Public Access NOT turned on'],
    ['quarantine-object', 'quarantine-object/malicious-file.event.json', 'object version tagged for the quarantine Deny', 'object version NOT tagged'],
    ['contain-database', 'contain-database/malicious-ip-successful-login.event.json', 'snapshot started, network restricted to the isolation group', 'snapshot NOT started, network NOT restricted'],
    ['quarantine-image', 'quarantine-image/infected-snapshot.event.json', 'tagged infected, sharing removed', 'NOT tagged infected, sharing NOT removed'],
  ] as const)('%s says what it did, or that it did NOT', (playbook, fixture, done, failed) => {
    expect(summaryLine(playbook, fixture, 'done')).toBe(`the resource in 222222222222/us-east-1 ${done}: 1 done, 0 failed`);
    expect(summaryLine(playbook, fixture, 'failed')).toBe(`the resource in 222222222222/us-east-1 ${failed}: 1 done, 0 failed`);
  });
});

describe('a change the plan refused (REFUSED: its reason), said as loudly as a failure', () => {
  const refusedOf = (outcomes: StepOutcome[], id: string) => outcomes.map((o) => (o.id === id ? { ...o, status: 'skipped' as const, reason: 'REFUSED: pending modifications' } : o));
  const line = (playbook: PlaybookName, outcomes: StepOutcome[]) =>
    summaryOf(
      {
        outcome: 'DONE',
        playbook,
        findingType: 'type',
        account: { id: '222222222222', shown: '222222222222' },
        region: 'us-east-1',
        resource: { kind: 'X', id: 'x', label: 'the resource' },
        blocked: [],
        counts: { done: 1, failed: 0, skipped: 1 },
      } as Parameters<typeof summaryOf>[0],
      outcomes,
    );

  it('contain-database: network NOT restricted', () => {
    const { outcomes } = outcomesOf('contain-database', 'contain-database/malicious-ip-successful-login.event.json', 'done');
    expect(line('contain-database', refusedOf(outcomes, 'restrict-database-network'))).toBe('the resource in 222222222222/us-east-1 snapshot started, network NOT restricted: 1 done, 0 failed, 1 skipped');
  });

  it('contain-function: function NOT throttled', () => {
    const { outcomes } = outcomesOf('contain-function', 'contain-function/cnc-activity.event.json', 'done');
    expect(line('contain-function', refusedOf(outcomes, 'throttle-function'))).toBe('the resource in 222222222222/us-east-1 function NOT throttled, role sessions revoked: 1 done, 0 failed, 1 skipped');
  });
});
