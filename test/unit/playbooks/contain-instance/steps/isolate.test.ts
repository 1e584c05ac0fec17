import { known, unknown } from '../../../../../lambda/playbooks/contain-instance/facts';
import { executePlan } from '../../../../../lambda/plan/executor';
import type { StepOutcome } from '../../../../../lambda/plan/types';
import { planNetworkInterfaceMoves } from '../../../../../lambda/playbooks/contain-instance/steps/isolate';
import { planVpcSecurityGroups, type VpcGroupsPlan } from '../../../../../lambda/playbooks/contain-instance/steps/security-groups';
import { containFacts, responderGroupFacts } from '../../../../support/aws-mocks/contain-facts';
import { NOW } from '../../../../support/aws-mocks/contain-finding';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { awsError, ISOLATION_SG_A, PRIMARY_ENI, SECONDARY_ENI, UNTRACK_SG_A, VPC_A } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();
const groups = new Map<string, VpcGroupsPlan>([[VPC_A, planVpcSecurityGroups(VPC_A, containFacts().responderSecurityGroups)]]);
const PRIMARY_GROUPS = ['sg-0web000000000001', 'sg-0ssh000000000001'];
const primaryOnly = [containFacts().networkInterfaces[0]!];

/** Fails the move of `eni` to `groupId` (any ENI, any group when not given) with `code`. */
function failMove(code: string, match: { eni?: string; groupId?: string; groups?: string[] }): void {
  const previous = h.world.failures.get('ModifyNetworkInterfaceAttribute');
  h.world.failures.set('ModifyNetworkInterfaceAttribute', (input) => {
    const sent = input.Groups as string[];
    const hit =
      (match.eni === undefined || input.NetworkInterfaceId === match.eni) &&
      (match.groupId === undefined || sent[0] === match.groupId) &&
      (match.groups === undefined || JSON.stringify(sent) === JSON.stringify(match.groups));
    if (hit) return awsError(code, `${code} (test)`, code === 'InternalError' ? 500 : 400);
    return typeof previous === 'function' ? previous(input) : previous;
  });
}

const summary = (outcomes: Awaited<ReturnType<typeof executeSteps>>) => outcomes.map((o) => [o.id, o.status, o.error?.code ?? o.reason ?? o.detail]);

describe('planNetworkInterfaceMoves', () => {
  it('moves every ENI to the untrack group (stage 3), to the isolation group right after (stage 4), with a restore right after that (stage 5)', () => {
    const steps = planNetworkInterfaceMoves(containFacts().networkInterfaces, groups);
    expect(steps.map((s) => [s.id, s.stage, s.follows, s.target, s.parameters])).toEqual([
      [`untrack:${PRIMARY_ENI}`, 3, undefined, PRIMARY_ENI, { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] }],
      [`isolate:${PRIMARY_ENI}`, 4, `untrack:${PRIMARY_ENI}`, PRIMARY_ENI, { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] }],
      [`restore:${PRIMARY_ENI}`, 5, `isolate:${PRIMARY_ENI}`, PRIMARY_ENI, { NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS }],
      [`untrack:${SECONDARY_ENI}`, 3, undefined, SECONDARY_ENI, { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] }],
      [`isolate:${SECONDARY_ENI}`, 4, `untrack:${SECONDARY_ENI}`, SECONDARY_ENI, { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] }],
      [`restore:${SECONDARY_ENI}`, 5, `isolate:${SECONDARY_ENI}`, SECONDARY_ENI, { NetworkInterfaceId: SECONDARY_ENI, Groups: ['sg-0db0000000000001'] }],
    ]);
    const restore = steps[2]!;
    expect([restore.runsPastDeadline, restore.exposedOnFailure, restore.compensates, restore.mutating]).toEqual([true, PRIMARY_ENI, `isolate:${PRIMARY_ENI}`, true]);
  });

  it('sends exactly the planned requests, one move per ENI and group, and restores nothing once isolated', async () => {
    const outcomes = await executeSteps(planNetworkInterfaceMoves(containFacts().networkInterfaces, groups), h.clients);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
    expect(summary(outcomes)).toEqual([
      [`untrack:${PRIMARY_ENI}`, 'done', `${PRIMARY_ENI} is on ${UNTRACK_SG_A}`],
      [`isolate:${PRIMARY_ENI}`, 'done', `${PRIMARY_ENI} is on ${ISOLATION_SG_A}`],
      [`restore:${PRIMARY_ENI}`, 'skipped', `${PRIMARY_ENI} is on the isolation group`],
      [`untrack:${SECONDARY_ENI}`, 'done', `${SECONDARY_ENI} is on ${UNTRACK_SG_A}`],
      [`isolate:${SECONDARY_ENI}`, 'done', `${SECONDARY_ENI} is on ${ISOLATION_SG_A}`],
      [`restore:${SECONDARY_ENI}`, 'skipped', `${SECONDARY_ENI} is on the isolation group`],
    ]);
  });

  it('never moves an ENI that is already on a verified isolation group: not through the untrack group, not at all', async () => {
    const enis = [{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: [ISOLATION_SG_A] }];
    const steps = planNetworkInterfaceMoves(enis, groups);
    expect(steps.filter((s) => s.id !== `restore:${PRIMARY_ENI}`).every((s) => s.why.includes('already on the isolation security group only'))).toBe(true);
    const outcomes = await executeSteps(steps, h.clients);
    expect(outcomes.map((o) => [o.id, o.status])).toEqual([
      [`untrack:${PRIMARY_ENI}`, 'skipped'],
      [`isolate:${PRIMARY_ENI}`, 'skipped'],
      [`restore:${PRIMARY_ENI}`, 'skipped'],
    ]);
    expect(outcomes[0]!.reason).toBe(`${PRIMARY_ENI} is already on the isolation security group only (${ISOLATION_SG_A}, no rules; an earlier response isolated it)`);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
  });

  it('an ENI on any verified isolation group of its VPC counts as isolated, not only on the one this run uses', async () => {
    const two = new Map([[VPC_A, planVpcSecurityGroups(VPC_A, known([responderGroupFacts(UNTRACK_SG_A, VPC_A, 'untrack'), responderGroupFacts(ISOLATION_SG_A, VPC_A, 'isolation'), responderGroupFacts('sg-0isolate0000000b2', VPC_A, 'isolation')]))]]);
    await executeSteps(planNetworkInterfaceMoves([{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: ['sg-0isolate0000000b2'] }], two), h.clients);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
  });

  it('an ENI on a tagged "isolation" group that has rules is not isolated: it is isolated for real', async () => {
    const rogue = { ...responderGroupFacts('sg-0rogue0000000001', VPC_A, 'isolation'), ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, peer: 'ipv4:0.0.0.0/0' }] };
    const withRogue = new Map([[VPC_A, planVpcSecurityGroups(VPC_A, known([responderGroupFacts(UNTRACK_SG_A, VPC_A, 'untrack'), responderGroupFacts(ISOLATION_SG_A, VPC_A, 'isolation'), rogue]))]]);
    await executeSteps(planNetworkInterfaceMoves([{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: ['sg-0rogue0000000001'] }], withRogue), h.clients);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
  });

  // An attacker with ec2:CreateSecurityGroup makes an empty group with the responder's tags and moves the ENI onto it first: a rule added later would reopen it.
  it.each<[string, Partial<ReturnType<typeof responderGroupFacts>>]>([
    ['a name the responder does not give', { groupName: 'c2-hold', tags: { Name: 'c2-hold', 'ir:managed-by': 'guardduty-ir', 'ir:purpose': 'isolation' } }],
    ['a description the responder does not give', { description: 'empty' }],
    ['tags that are not the responder\'s', { tags: { Name: 'guardduty-ir-isolation', 'ir:managed-by': 'guardduty-ir', 'ir:purpose': 'isolation', extra: 'x' }, groupName: 'x' }],
  ])('an ENI on an empty tagged "isolation" group with %s is not "already isolated": it goes through untrack onto the verified group', async (_what, overrides) => {
    const fake = { ...responderGroupFacts('sg-0fake0000000001', VPC_A, 'isolation'), ...overrides };
    const plan = planVpcSecurityGroups(VPC_A, known([responderGroupFacts(UNTRACK_SG_A, VPC_A, 'untrack'), fake, responderGroupFacts(ISOLATION_SG_A, VPC_A, 'isolation')]));
    // The fake has the lowest id: before, it would have been the group this run uses.
    expect(['sg-0fake0000000001', ISOLATION_SG_A].sort()[0]).toBe('sg-0fake0000000001');
    expect([plan.isolation, [...plan.isolatedOn]]).toEqual([{ kind: 'existing', groupId: ISOLATION_SG_A }, [ISOLATION_SG_A]]);
    const outcomes = await executeSteps(planNetworkInterfaceMoves([{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: ['sg-0fake0000000001'] }], new Map([[VPC_A, plan]])), h.clients);
    expect(outcomes.map((o) => [o.id, o.status])).toEqual([
      [`untrack:${PRIMARY_ENI}`, 'done'],
      [`isolate:${PRIMARY_ENI}`, 'done'],
      [`restore:${PRIMARY_ENI}`, 'skipped'],
    ]);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
  });

  it('when the groups could not be read, no ENI is moved through the untrack group: straight to a fresh isolation group', async () => {
    const blind = new Map([[VPC_A, planVpcSecurityGroups(VPC_A, unknown('DescribeSecurityGroups failed (RequestLimitExceeded)'))]]);
    const steps = planNetworkInterfaceMoves(primaryOnly, blind);
    expect(steps.map((s) => [s.id, s.follows, s.requires])).toEqual([
      [`isolate:${PRIMARY_ENI}`, undefined, [`create-isolation-sg:${VPC_A}`, `isolation-sg-egress:${VPC_A}`]],
      [`restore:${PRIMARY_ENI}`, `isolate:${PRIMARY_ENI}`, []],
    ]);
  });
});

describe('a failed isolation move never leaves the ENI on the allow-all group', () => {
  it('the isolation move fails: the ENI goes back to exactly its original groups, and the report shows each step', async () => {
    failMove('InternalError', { eni: PRIMARY_ENI, groupId: ISOLATION_SG_A });
    const outcomes = await executeSteps(planNetworkInterfaceMoves(primaryOnly, groups), h.clients);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS },
    ]);
    expect(summary(outcomes)).toEqual([
      [`untrack:${PRIMARY_ENI}`, 'done', `${PRIMARY_ENI} is on ${UNTRACK_SG_A}`],
      [`isolate:${PRIMARY_ENI}`, 'failed', 'InternalError'],
      [`restore:${PRIMARY_ENI}`, 'done', `${PRIMARY_ENI} is back on sg-0web000000000001, sg-0ssh000000000001, the groups it had before: it is NOT isolated`],
    ]);
    expect(outcomes.some((o) => o.exposed !== undefined)).toBe(false);
  });

  it('the restore fails too: the step fails with its code and names the ENI as exposed', async () => {
    failMove('InternalError', { eni: PRIMARY_ENI, groupId: ISOLATION_SG_A });
    failMove('UnauthorizedOperation', { eni: PRIMARY_ENI, groups: PRIMARY_GROUPS });
    const outcomes = await executeSteps(planNetworkInterfaceMoves(primaryOnly, groups), h.clients);
    expect(summary(outcomes)).toEqual([
      [`untrack:${PRIMARY_ENI}`, 'done', `${PRIMARY_ENI} is on ${UNTRACK_SG_A}`],
      [`isolate:${PRIMARY_ENI}`, 'failed', 'InternalError'],
      [`restore:${PRIMARY_ENI}`, 'failed', 'UnauthorizedOperation'],
    ]);
    expect(outcomes.map((o) => o.exposed)).toEqual([undefined, undefined, PRIMARY_ENI]);
  });

  it('a failed untrack move may still have been applied: if isolation then fails, the ENI is returned all the same', async () => {
    failMove('RequestTimeout', { eni: PRIMARY_ENI, groupId: UNTRACK_SG_A });
    failMove('InternalError', { eni: PRIMARY_ENI, groupId: ISOLATION_SG_A });
    const outcomes = await executeSteps(planNetworkInterfaceMoves(primaryOnly, groups), h.clients);
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'done']);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute').at(-1)).toEqual({ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS });
  });

  it('an ENI that was never moved is not moved back', async () => {
    const notReady = new Map([[VPC_A, planVpcSecurityGroups(VPC_A, known([responderGroupFacts(UNTRACK_SG_A, VPC_A, 'untrack')]))]]);
    h.world.failures.set('CreateSecurityGroup', awsError('UnauthorizedOperation'));
    const plan = notReady.get(VPC_A)!;
    const outcomes = await executeSteps([...plan.steps, ...planNetworkInterfaceMoves(primaryOnly, notReady)], h.clients);
    expect(summary(outcomes)).toEqual([
      [`create-isolation-sg:${VPC_A}`, 'failed', 'UnauthorizedOperation'],
      [`isolation-sg-egress:${VPC_A}`, 'skipped', `needs create-isolation-sg:${VPC_A} (failed)`],
      // Without an isolation group, the ENI never goes onto the allow-all group.
      [`untrack:${PRIMARY_ENI}`, 'skipped', `needs create-isolation-sg:${VPC_A} (failed), isolation-sg-egress:${VPC_A} (skipped)`],
      [`isolate:${PRIMARY_ENI}`, 'skipped', `needs create-isolation-sg:${VPC_A} (failed), isolation-sg-egress:${VPC_A} (skipped)`],
      [`restore:${PRIMARY_ENI}`, 'skipped', `${PRIMARY_ENI} was not moved to the untrack group: it is still on the groups it had`],
    ]);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
  });

  it('an ENI a stopped run left on the untrack group goes back to its recorded original groups, never to a responder group', async () => {
    failMove('InternalError', { eni: PRIMARY_ENI, groupId: ISOLATION_SG_A });
    const leftover = [{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: [UNTRACK_SG_A] }];
    const tags = { [`ir:original-sgs:${PRIMARY_ENI}`]: 'sg-0web000000000001 sg-0ssh000000000001' };
    const steps = planNetworkInterfaceMoves(leftover, groups, tags);
    expect(steps.find((s) => s.id === `restore:${PRIMARY_ENI}`)!.parameters).toEqual({ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS });
    const outcomes = await executeSteps(steps, h.clients);
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'failed', 'done']);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute').at(-1)).toEqual({ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS });
  });

  it('even when the untrack move was not sent, an ENI found on the untrack group without a record fails loudly as exposed', async () => {
    failMove('InternalError', { eni: PRIMARY_ENI, groupId: UNTRACK_SG_A });
    failMove('InternalError', { eni: PRIMARY_ENI, groupId: ISOLATION_SG_A });
    const leftover = [{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: [UNTRACK_SG_A] }];
    // A record naming a responder group is no record: the ENI is never "restored" onto the allow-all group.
    const outcomes = await executeSteps(planNetworkInterfaceMoves(leftover, groups, { [`ir:original-sgs:${PRIMARY_ENI}`]: UNTRACK_SG_A }), h.clients);
    expect(outcomes[2]).toMatchObject({ status: 'failed', error: { code: 'NoOriginalGroups' }, exposed: PRIMARY_ENI });
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toHaveLength(2);
  });

  it('an ENI that vanished fails with its code, is not reported exposed, and the other ENI is still moved', async () => {
    failMove('InvalidNetworkInterfaceID.NotFound', { eni: PRIMARY_ENI });
    const outcomes = await executeSteps(planNetworkInterfaceMoves(containFacts().networkInterfaces, groups), h.clients);
    expect(summary(outcomes)).toEqual([
      [`untrack:${PRIMARY_ENI}`, 'failed', 'InvalidNetworkInterfaceID.NotFound'],
      [`isolate:${PRIMARY_ENI}`, 'failed', 'InvalidNetworkInterfaceID.NotFound'],
      [`restore:${PRIMARY_ENI}`, 'skipped', `${PRIMARY_ENI} no longer exists: nothing is left open`],
      [`untrack:${SECONDARY_ENI}`, 'done', `${SECONDARY_ENI} is on ${UNTRACK_SG_A}`],
      [`isolate:${SECONDARY_ENI}`, 'done', `${SECONDARY_ENI} is on ${ISOLATION_SG_A}`],
      [`restore:${SECONDARY_ENI}`, 'skipped', `${SECONDARY_ENI} is on the isolation group`],
    ]);
  });

  describe('an ENI found on the untrack group, and every change blocked', () => {
    const onUntrack = [{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: [UNTRACK_SG_A] }];
    // Whoever can tag the instance writes this one: never where a blocked response sends the ENI.
    const tags = { [`ir:original-sgs:${PRIMARY_ENI}`]: 'sg-0attacker00000001' };
    const blocked = (blockedBy: string[], earlyMoveLanded = false, vpcGroups: ReadonlyMap<string, VpcGroupsPlan> = groups) =>
      executePlan(planNetworkInterfaceMoves(onUntrack, vpcGroups, tags, { earlyMoveLanded }), { clients: h.clients, outputs: new Map(), outcomes: [], now: () => NOW }, { blockedBy });
    const restoreOf = (outcomes: StepOutcome[]) => outcomes.find((o) => o.id === `restore:${PRIMARY_ENI}`)!;

    it('left there by an earlier attempt: closed on the isolation group (never put back, never to the tag’s group), failed loudly; only the restore runs', async () => {
      const outcomes = await blocked(['exempt-tag']);
      expect(summary(outcomes).map(([id, status]) => [id, status])).toEqual([
        [`untrack:${PRIMARY_ENI}`, 'skipped'],
        [`isolate:${PRIMARY_ENI}`, 'skipped'],
        [`restore:${PRIMARY_ENI}`, 'failed'],
      ]);
      expect(restoreOf(outcomes)).toMatchObject({ closesLeftOpen: true, error: { code: 'LeftClosedOwnGroupsUnknown', retryable: true } });
      expect(restoreOf(outcomes).exposed).toBeUndefined();
      expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] }]);
    });

    it('no isolation group in the VPC (a blocked response creates none): left there, named exposed', async () => {
      const blind = new Map([[VPC_A, planVpcSecurityGroups(VPC_A, known([responderGroupFacts(UNTRACK_SG_A, VPC_A, 'untrack')]))]]);
      const outcomes = await blocked(['exempt-tag'], false, blind);
      expect(restoreOf(outcomes)).toMatchObject({ status: 'failed', error: { code: 'NoIsolationGroup' }, exposed: PRIMARY_ENI });
      expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
    });

    it.each(['being-answered', 'already-answered', 'joined-incident', 'ledger-unavailable', 'claim-unavailable', 'incident-already-answered', 'finding-confirmation', 'confirmation-unavailable', 'account-not-allowed', 'unknown-account'])(
      'a delivery under %s leaves it to the one that holds the incident, and says it is still there',
      async (verdict) => {
        const outcomes = await blocked(['exempt-tag', verdict]);
        expect(restoreOf(outcomes)).toMatchObject({ status: 'skipped', leftOpen: true, reason: expect.stringContaining(`is on the allow-all untrack group, and this delivery does not move it (${verdict})`) });
        expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
      },
    );

    it('a dry-run moves nothing', async () => {
      expect(restoreOf(await blocked(['dry-run']))).toMatchObject({ status: 'skipped', leftOpen: true, reason: expect.stringMatching(/^dry-run: .*allow-all untrack group/) });
      expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
    });

    it('put there by this response’s own early move: its early step closes it, the restore is blocked like any change', async () => {
      const steps = planNetworkInterfaceMoves(onUntrack, groups, tags, { earlyMoveLanded: true });
      expect(steps.find((s) => s.id === `restore:${PRIMARY_ENI}`)!.closesLeftOpen).toBeUndefined();
      const restore = restoreOf(await blocked(['exempt-tag'], true));
      expect(restore).toMatchObject({ status: 'skipped', reason: 'blocked by exempt-tag' });
      expect(restore.leftOpen).toBeUndefined();
      expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
    });
  });
});
