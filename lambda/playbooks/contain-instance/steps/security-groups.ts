import { randomBytes } from 'node:crypto';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  RevokeSecurityGroupEgressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { ResponderError } from '../../../aws/errors';
import { planStep, type PlannedStep, type StepRunResult } from '../../../plan/types';
import type { Known, ResponderSecurityGroup } from '../facts';
import { isResponderGroupName, MANAGED_BY_TAG, MANAGED_BY_VALUE, PURPOSE_TAG, SECURITY_GROUP_DESCRIPTIONS, uniqueSecurityGroupName, type SecurityGroupPurpose } from '../names';
import { CLOSE_ISOLATION_GROUP, CREATE_SECURITY_GROUP, OPEN_UNTRACK_GROUP } from '../specs';
import { STAGE } from '../stages';
import { awsCodeOf } from './aws-codes';
import { groupIdParameter, groupRequires, resolveGroupId, type GroupRef } from './group-ref';
import { ownCreatedGroup } from './own-created-group';
import { isolationGroupFlaws, untrackGroupFlaws } from './verify-groups';
import { compareCodeUnits } from '../../../text/compare';

/*
 * The two security groups of a VPC. "untrack" allows all traffic both ways
 * from and to anywhere, which makes the instance's flows untracked; the
 * "isolation" group has no rule at all. A group found by tag is used only
 * once verified (verify-groups.ts), and then as it is: rules are only ever
 * added to or removed from a group created by this same run. Otherwise a
 * fresh group is created, and later incidents reuse it.
 */

export interface VpcGroupsPlan {
  readonly vpcId: string;
  /**
   * null: no untrack group is used in this VPC. The responder's groups could
   * not be read, so an ENI already isolated cannot be told apart, and must
   * never pass through the allow-all group.
   */
  readonly untrack: GroupRef | null;
  readonly isolation: GroupRef;
  /** Steps that must be done before an ENI can be moved onto the untrack group (its rules in place). */
  readonly untrackReady: readonly string[];
  /** Steps that must be done before an ENI can be moved onto the isolation group (its default egress rule gone). */
  readonly isolationReady: readonly string[];
  /** Verified isolation groups of the VPC: an ENI on these alone is already isolated. */
  readonly isolatedOn: ReadonlySet<string>;
  /**
   * Groups of the VPC with the responder's tags and name, verified or not
   * (a concurrent run may still be adding their rules): never recorded as,
   * nor returned to as, an ENI's original groups. A production group someone
   * only tagged is not among them: it keeps its name, and is an original group.
   */
  readonly responderMade: ReadonlySet<string>;
  /** Those of them made as untrack groups: an ENI found on one may be left there by a run that stopped halfway. */
  readonly untrackMade: ReadonlySet<string>;
  readonly steps: readonly PlannedStep[];
  readonly warnings: readonly string[];
}

const ALL_IPV4 = { IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
const ALL_IPV6 = { Ipv6Ranges: [{ CidrIpv6: '::/0' }] };
/** Ingress of a new group: none, so both are added. */
const OPEN_INGRESS: IpPermission = { IpProtocol: '-1', ...ALL_IPV4, ...ALL_IPV6 };
/** Egress of a new group: all IPv4 already (AWS's default rule), so only IPv6 is added; a duplicate would fail the call. */
const OPEN_EGRESS: IpPermission = { IpProtocol: '-1', ...ALL_IPV6 };
/** The default egress rule of a new group, the one rule the isolation group must lose. */
const DEFAULT_EGRESS: IpPermission = { IpProtocol: '-1', ...ALL_IPV4 };

export function planVpcSecurityGroups(vpcId: string, found: Known<readonly ResponderSecurityGroup[]>): VpcGroupsPlan {
  const steps: PlannedStep[] = [];
  if (!found.known) {
    const isolation = createIsolationGroup(vpcId, `the responder's groups could not be read (${found.why}), so none can be verified`, steps);
    return {
      vpcId,
      untrack: null,
      isolation: isolation.ref,
      untrackReady: [],
      isolationReady: isolation.ready,
      isolatedOn: new Set(),
      responderMade: new Set(),
      untrackMade: new Set(),
      steps,
      warnings: [
        `The responder's security groups in ${vpcId} could not be read (${found.why}): a fresh isolation group is created, and no ENI is moved to the ` +
          'allow-all untrack group first (one already isolated could not be told apart), so tracked connections are not cut by the swap.',
      ],
    };
  }
  const inVpc = found.value.filter((g) => g.vpcId === vpcId).sort((a, b) => compareCodeUnits(a.groupId, b.groupId));
  const made = inVpc.filter((g) => isResponderGroupName(g.groupName, g.purpose));
  const untrackChoice = choose(inVpc, 'untrack', (g) => untrackGroupFlaws(g, vpcId));
  const isolationChoice = choose(inVpc, 'isolation', (g) => isolationGroupFlaws(g, vpcId));

  const untrack = untrackChoice.group
    ? { ref: existing(untrackChoice.group), ready: [] }
    : createUntrackGroup(vpcId, whyCreate(vpcId, 'untrack', untrackChoice.rejected), steps);
  const isolation = isolationChoice.group
    ? { ref: existing(isolationChoice.group), ready: [] }
    : createIsolationGroup(vpcId, whyCreate(vpcId, 'isolation', isolationChoice.rejected), steps);
  return {
    vpcId,
    untrack: untrack.ref,
    isolation: isolation.ref,
    untrackReady: untrack.ready,
    isolationReady: isolation.ready,
    isolatedOn: new Set(isolationChoice.verified.map((g) => g.groupId)),
    responderMade: new Set(made.map((g) => g.groupId)),
    untrackMade: new Set(made.filter((g) => g.purpose === 'untrack').map((g) => g.groupId)),
    steps,
    warnings: [...rejectionWarnings(vpcId, 'untrack', untrackChoice), ...rejectionWarnings(vpcId, 'isolation', isolationChoice)],
  };
}

/** The isolation group of a VPC alone, for a resource that is never moved through the untrack group (contain-database). */
export interface VpcIsolationGroupPlan {
  readonly vpcId: string;
  readonly isolation: GroupRef;
  /** Steps that must be done before a resource can be put on the isolation group (created, its default egress rule gone). */
  readonly isolationReady: readonly string[];
  /** Verified isolation groups of the VPC: a resource on these alone is already isolated. */
  readonly isolatedOn: ReadonlySet<string>;
  /** Groups of the VPC with the responder's tags and name, verified or not: never recorded as a resource's original groups. */
  readonly responderMade: ReadonlySet<string>;
  readonly steps: readonly PlannedStep[];
  readonly warnings: readonly string[];
}

/**
 * The same choice of isolation group as planVpcSecurityGroups (a verified group found by tag, else a fresh one),
 * without the untrack group: a database's connections are not cut by a swap of groups either way, so it is not moved
 * through an allow-all group first.
 */
export function planVpcIsolationGroup(vpcId: string, found: Known<readonly ResponderSecurityGroup[]>): VpcIsolationGroupPlan {
  const steps: PlannedStep[] = [];
  if (!found.known) {
    const isolation = createIsolationGroup(vpcId, `the responder's groups could not be read (${found.why}), so none can be verified`, steps);
    return {
      vpcId,
      isolation: isolation.ref,
      isolationReady: isolation.ready,
      isolatedOn: new Set(),
      responderMade: new Set(),
      steps,
      warnings: [`The responder's security groups in ${vpcId} could not be read (${found.why}): a fresh isolation group is created.`],
    };
  }
  const inVpc = found.value.filter((g) => g.vpcId === vpcId).sort((a, b) => compareCodeUnits(a.groupId, b.groupId));
  const made = inVpc.filter((g) => isResponderGroupName(g.groupName, g.purpose));
  const choice = choose(inVpc, 'isolation', (g) => isolationGroupFlaws(g, vpcId));
  const isolation = choice.group ? { ref: existing(choice.group), ready: [] } : createIsolationGroup(vpcId, whyCreate(vpcId, 'isolation', choice.rejected), steps);
  return {
    vpcId,
    isolation: isolation.ref,
    isolationReady: isolation.ready,
    isolatedOn: new Set(choice.verified.map((g) => g.groupId)),
    responderMade: new Set(made.map((g) => g.groupId)),
    steps,
    warnings: rejectionWarnings(vpcId, 'isolation', choice),
  };
}

interface Rejected {
  readonly groupId: string;
  readonly flaws: readonly string[];
}

interface Choice {
  /** The group used: the first verified one, by id, so every run picks the same. */
  readonly group: ResponderSecurityGroup | undefined;
  readonly verified: readonly ResponderSecurityGroup[];
  readonly rejected: readonly Rejected[];
}

function choose(groups: readonly ResponderSecurityGroup[], purpose: SecurityGroupPurpose, flawsOf: (g: ResponderSecurityGroup) => string[]): Choice {
  const verified: ResponderSecurityGroup[] = [];
  const rejected: Rejected[] = [];
  for (const group of groups.filter((g) => g.purpose === purpose)) {
    const flaws = flawsOf(group);
    if (flaws.length === 0) verified.push(group);
    else rejected.push({ groupId: group.groupId, flaws });
  }
  return { group: verified[0], verified, rejected };
}

function existing(group: ResponderSecurityGroup): GroupRef {
  return { kind: 'existing', groupId: group.groupId };
}

function whyCreate(vpcId: string, purpose: SecurityGroupPurpose, rejected: readonly Rejected[]): string {
  if (rejected.length === 0) return `no ${purpose} security group exists in ${vpcId} yet; it is created once and reused by later incidents`;
  const which = rejected.map((r) => r.groupId).join(', ');
  return `the ${purpose} group found by tag in ${vpcId} (${which}) failed verification and is left untouched; a fresh one is created`;
}

function rejectionWarnings(vpcId: string, purpose: SecurityGroupPurpose, choice: Choice): string[] {
  const instead = choice.group ? `the verified group ${choice.group.groupId} is used instead` : 'a fresh group is created instead';
  return choice.rejected.map(
    (r) =>
      `Security group ${r.groupId} in ${vpcId} carries the responder's tags (${PURPOSE_TAG}=${purpose}) but is not what the responder creates: ` +
      `${r.flaws.join('; ')}. It was not used and its rules were not changed; ${instead}. ` +
      "Find out who tagged it; remove the responder's tags from it (or delete it if nothing uses it).",
  );
}

interface CreatedGroup {
  readonly ref: GroupRef;
  readonly ready: string[];
}

function createUntrackGroup(vpcId: string, why: string, steps: PlannedStep[]): CreatedGroup {
  const create = createGroupStep(vpcId, 'untrack', why);
  const ref: GroupRef = { kind: 'created', stepId: create.id };
  const ingress = openUntrackStep(vpcId, ref, 'ingress', OPEN_INGRESS);
  const egress = openUntrackStep(vpcId, ref, 'egress', OPEN_EGRESS);
  steps.push(create, ingress, egress);
  return { ref, ready: [create.id, ingress.id, egress.id] };
}

function createIsolationGroup(vpcId: string, why: string, steps: PlannedStep[]): CreatedGroup {
  const create = createGroupStep(vpcId, 'isolation', why);
  const ref: GroupRef = { kind: 'created', stepId: create.id };
  const close = closeIsolationStep(vpcId, ref);
  steps.push(create, close);
  return { ref, ready: [create.id, close.id] };
}

export function createStepId(vpcId: string, purpose: SecurityGroupPurpose): string {
  return `create-${purpose}-sg:${vpcId}`;
}

function openStepId(vpcId: string, direction: 'ingress' | 'egress'): string {
  return `untrack-sg-${direction}:${vpcId}`;
}

/** The name is drawn when the step runs: the plan shows where it goes, as it shows other values only known then. */
function namePlaceholder(purpose: SecurityGroupPurpose): string {
  return `<${uniqueSecurityGroupName(purpose, '{8 random hex digits}')}>`;
}

function creationInput(vpcId: string, purpose: SecurityGroupPurpose, groupName: string) {
  return {
    GroupName: groupName,
    Description: SECURITY_GROUP_DESCRIPTIONS[purpose],
    VpcId: vpcId,
    TagSpecifications: [
      {
        ResourceType: 'security-group' as const,
        Tags: [
          { Key: 'Name', Value: groupName },
          { Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE },
          { Key: PURPOSE_TAG, Value: purpose },
        ],
      },
    ],
  };
}

function createGroupStep(vpcId: string, purpose: SecurityGroupPurpose, why: string): PlannedStep {
  return planStep(CREATE_SECURITY_GROUP, {
    id: createStepId(vpcId, purpose),
    title: `Create the ${purpose} security group of ${vpcId}`,
    action: 'ec2:CreateSecurityGroup',
    target: vpcId,
    parameters: creationInput(vpcId, purpose, namePlaceholder(purpose)),
    why,
    stage: STAGE.createGroups,
    run: async (ctx) => {
      // A name already taken is never someone else's group to reuse: draw another name, once.
      for (let attempt = 1; ; attempt += 1) {
        const groupName = uniqueSecurityGroupName(purpose, randomBytes(4).toString('hex'));
        try {
          const created = await ctx.clients.ec2.send(new CreateSecurityGroupCommand(creationInput(vpcId, purpose, groupName)));
          if (!created.GroupId) throw new ResponderError('MissingGroupId', 'CreateSecurityGroup returned no GroupId');
          return { status: 'done', detail: `created ${created.GroupId} (${groupName})`, output: created.GroupId };
        } catch (error) {
          if (awsCodeOf(error) !== 'InvalidGroup.Duplicate') throw error;
          // Unless the name is taken by this very request: an SDK retry after a lost or late answer (own-created-group.ts).
          const own = await ownCreatedGroup(ctx.clients.ec2, vpcId, purpose, groupName);
          if (own) return { status: 'done', detail: `created ${own} (${groupName}; the first answer was lost, the retry found it)`, output: own };
          if (attempt >= 2) throw error;
        }
      }
    },
  });
}

function openUntrackStep(vpcId: string, group: GroupRef, direction: 'ingress' | 'egress', permission: IpPermission): PlannedStep {
  const ingress = direction === 'ingress';
  return planStep(OPEN_UNTRACK_GROUP, {
    id: openStepId(vpcId, direction),
    title: `Allow all ${direction} traffic on the new untrack security group of ${vpcId}`,
    action: ingress ? 'ec2:AuthorizeSecurityGroupIngress' : 'ec2:AuthorizeSecurityGroupEgress',
    target: groupIdParameter(group),
    parameters: { GroupId: groupIdParameter(group), IpPermissions: [permission] },
    why: 'flows are untracked only while all traffic is allowed both ways from and to 0.0.0.0/0 and ::/0; only the group this run created is changed',
    stage: STAGE.configureGroups,
    requires: groupRequires(group),
    run: async (ctx) => {
      const input = { GroupId: resolveGroupId(group, ctx), IpPermissions: [permission] };
      return alreadySoIs('InvalidPermission.Duplicate', 'the rule already exists', async () => {
        if (ingress) await ctx.clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(input));
        else await ctx.clients.ec2.send(new AuthorizeSecurityGroupEgressCommand(input));
      });
    },
  });
}

function closeIsolationStep(vpcId: string, group: GroupRef): PlannedStep {
  return planStep(CLOSE_ISOLATION_GROUP, {
    id: `isolation-sg-egress:${vpcId}`,
    title: `Remove the default egress rule of the new isolation security group of ${vpcId}`,
    action: 'ec2:RevokeSecurityGroupEgress',
    target: groupIdParameter(group),
    parameters: { GroupId: groupIdParameter(group), IpPermissions: [DEFAULT_EGRESS] },
    why: 'a new security group allows all egress by default; the isolation group must have no rule at all. Only the group this run created is changed',
    stage: STAGE.configureGroups,
    requires: groupRequires(group),
    run: async (ctx) =>
      alreadySoIs('InvalidPermission.NotFound', 'the rule was already removed', async () => {
        await ctx.clients.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: resolveGroupId(group, ctx), IpPermissions: [DEFAULT_EGRESS] }));
      }),
  });
}

/** A rule the new group already has (or already lacks) ends in the state wanted: that is success, not failure. */
async function alreadySoIs(code: string, detail: string, call: () => Promise<void>): Promise<StepRunResult> {
  try {
    await call();
    return { status: 'done' };
  } catch (error) {
    if (awsCodeOf(error) === code) return { status: 'done', detail };
    throw error;
  }
}
