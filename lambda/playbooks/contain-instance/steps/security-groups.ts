import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { ResponderError } from '../../../aws/errors';
import { planStep, type ExecutionContext, type PlannedStep, type StepRunResult } from '../../../plan/types';
import type { Known, ResponderSecurityGroup, RuleSummary } from '../facts';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, PURPOSE_TAG, securityGroupName, type SecurityGroupPurpose } from '../names';
import { CLOSE_ISOLATION_GROUP, CREATE_SECURITY_GROUP, OPEN_UNTRACK_GROUP } from '../specs';
import { STAGE } from '../stages';
import { awsCodeOf } from './aws-codes';
import { groupIdParameter, groupRequires, resolveGroupId, type GroupRef } from './group-ref';

/*
 * The two security groups of a VPC. "untrack" allows all traffic both ways
 * from and to anywhere, which makes the instance's flows untracked; the
 * "isolation" group has no rule at all. Both are found by tag, or created
 * once per VPC and reused by every later incident.
 */

export interface VpcGroupsPlan {
  readonly vpcId: string;
  readonly untrack: GroupRef;
  readonly isolation: GroupRef;
  /** Steps that must be done before an ENI can be moved onto the untrack group (its rules in place). */
  readonly untrackReady: readonly string[];
  readonly steps: readonly PlannedStep[];
  readonly warnings: readonly string[];
}

const DESCRIPTIONS: Record<SecurityGroupPurpose, string> = {
  untrack: 'GuardDuty IR: allows all traffic so that the flows of an instance become untracked before isolation',
  isolation: 'GuardDuty IR: no rules; isolates an instance',
};

const ALL_IPV4 = { IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
const ALL_IPV6 = { Ipv6Ranges: [{ CidrIpv6: '::/0' }] };

export function planVpcSecurityGroups(vpcId: string, found: Known<readonly ResponderSecurityGroup[]>): VpcGroupsPlan {
  const untrackFound = found.known ? pick(found.value, vpcId, 'untrack') : undefined;
  const isolationFound = found.known ? pick(found.value, vpcId, 'isolation') : undefined;
  const steps: PlannedStep[] = [];
  const warnings: string[] = [];

  const untrack = groupOrCreate(vpcId, 'untrack', untrackFound, steps);
  // A group just created has only the default egress rule (all IPv4).
  const untrackRules = untrackFound ?? { ingress: NO_RULES, egress: DEFAULT_EGRESS };
  const ingress = missingAllTraffic(untrackRules.ingress);
  const egress = missingAllTraffic(untrackRules.egress);
  const untrackReady = [...groupRequires(untrack)];
  if (ingress) {
    steps.push(openUntrackStep(vpcId, untrack, 'ingress', ingress));
    untrackReady.push(openStepId(vpcId, 'ingress'));
  }
  if (egress) {
    steps.push(openUntrackStep(vpcId, untrack, 'egress', egress));
    untrackReady.push(openStepId(vpcId, 'egress'));
  }

  const isolation = groupOrCreate(vpcId, 'isolation', isolationFound, steps);
  const isolationEgress = isolationFound ? isolationFound.egress : DEFAULT_EGRESS;
  const toRevoke = allTrafficPresent(isolationEgress);
  if (toRevoke) steps.push(closeIsolationStep(vpcId, isolation, toRevoke));
  if (isolationFound && (isolationFound.egress.otherRules > 0 || hasAnyRule(isolationFound.ingress))) {
    warnings.push(
      `Isolation security group ${isolationFound.groupId} in ${vpcId} has rules besides the default egress rule; ` +
        'the plan removes only "all traffic to 0.0.0.0/0 and ::/0": remove the others by hand, or the instance is not fully isolated.',
    );
  }
  return { vpcId, untrack, isolation, untrackReady, steps, warnings };
}

const NO_RULES: RuleSummary = { allTrafficIpv4: false, allTrafficIpv6: false, otherRules: 0 };
const DEFAULT_EGRESS: RuleSummary = { allTrafficIpv4: true, allTrafficIpv6: false, otherRules: 0 };

function hasAnyRule(rules: RuleSummary): boolean {
  return rules.allTrafficIpv4 || rules.allTrafficIpv6 || rules.otherRules > 0;
}

/** Several tagged groups in one VPC (someone copied one): prefer ours by name, then the oldest-looking id, so every run picks the same. */
function pick(groups: readonly ResponderSecurityGroup[], vpcId: string, purpose: SecurityGroupPurpose): ResponderSecurityGroup | undefined {
  const candidates = groups.filter((g) => g.vpcId === vpcId && g.purpose === purpose);
  return [...candidates].sort((a, b) => rank(a, purpose) - rank(b, purpose) || a.groupId.localeCompare(b.groupId))[0];
}

function rank(group: ResponderSecurityGroup, purpose: SecurityGroupPurpose): number {
  return group.groupName === securityGroupName(purpose) ? 0 : 1;
}

/** The all-traffic permission still to add, or undefined when both IPv4 and IPv6 are already allowed. */
function missingAllTraffic(rules: RuleSummary): IpPermission | undefined {
  if (rules.allTrafficIpv4 && rules.allTrafficIpv6) return undefined;
  return { IpProtocol: '-1', ...(rules.allTrafficIpv4 ? {} : ALL_IPV4), ...(rules.allTrafficIpv6 ? {} : ALL_IPV6) };
}

/** Only rules known to exist are revoked: EC2 refuses the whole call if one of them does not. */
function allTrafficPresent(rules: RuleSummary): IpPermission | undefined {
  if (!rules.allTrafficIpv4 && !rules.allTrafficIpv6) return undefined;
  return { IpProtocol: '-1', ...(rules.allTrafficIpv4 ? ALL_IPV4 : {}), ...(rules.allTrafficIpv6 ? ALL_IPV6 : {}) };
}

export function createStepId(vpcId: string, purpose: SecurityGroupPurpose): string {
  return `create-${purpose}-sg:${vpcId}`;
}

function openStepId(vpcId: string, direction: 'ingress' | 'egress'): string {
  return `untrack-sg-${direction}:${vpcId}`;
}

function groupOrCreate(vpcId: string, purpose: SecurityGroupPurpose, found: ResponderSecurityGroup | undefined, steps: PlannedStep[]): GroupRef {
  if (found) return { kind: 'existing', groupId: found.groupId };
  const step = createGroupStep(vpcId, purpose);
  steps.push(step);
  return { kind: 'created', stepId: step.id };
}

function createGroupStep(vpcId: string, purpose: SecurityGroupPurpose): PlannedStep {
  const groupName = securityGroupName(purpose);
  const input = {
    GroupName: groupName,
    Description: DESCRIPTIONS[purpose],
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
  return planStep(CREATE_SECURITY_GROUP, {
    id: createStepId(vpcId, purpose),
    title: `Create the ${purpose} security group of ${vpcId}`,
    action: 'ec2:CreateSecurityGroup',
    target: vpcId,
    parameters: input,
    why: `no ${purpose} security group tagged ${PURPOSE_TAG}=${purpose} exists in ${vpcId} yet; it is created once and reused by later incidents`,
    stage: STAGE.createGroups,
    run: async (ctx) => {
      try {
        const created = await ctx.clients.ec2.send(new CreateSecurityGroupCommand(input));
        if (!created.GroupId) throw new ResponderError('MissingGroupId', 'CreateSecurityGroup returned no GroupId');
        return { status: 'done', detail: `created ${created.GroupId}`, output: created.GroupId };
      } catch (error) {
        if (awsCodeOf(error) !== 'InvalidGroup.Duplicate') throw error;
        // Another response created it first (two findings at once): use theirs.
        const groupId = await groupIdByName(ctx, vpcId, groupName);
        return { status: 'done', detail: `${groupId} already existed (created concurrently); reused`, output: groupId };
      }
    },
  });
}

async function groupIdByName(ctx: ExecutionContext, vpcId: string, groupName: string): Promise<string> {
  const found = await ctx.clients.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: [groupName] },
      ],
    }),
  );
  const groupId = found.SecurityGroups?.[0]?.GroupId;
  if (!groupId) throw new ResponderError('GroupNotFound', `${groupName} in ${vpcId} was reported as a duplicate but cannot be found`);
  return groupId;
}

function openUntrackStep(vpcId: string, group: GroupRef, direction: 'ingress' | 'egress', permission: IpPermission): PlannedStep {
  const ingress = direction === 'ingress';
  return planStep(OPEN_UNTRACK_GROUP, {
    id: openStepId(vpcId, direction),
    title: `Allow all ${direction} traffic on the untrack security group of ${vpcId}`,
    action: ingress ? 'ec2:AuthorizeSecurityGroupIngress' : 'ec2:AuthorizeSecurityGroupEgress',
    target: groupIdParameter(group),
    parameters: { GroupId: groupIdParameter(group), IpPermissions: [permission] },
    why: 'flows are untracked only while all traffic is allowed both ways from and to 0.0.0.0/0 and ::/0',
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

function closeIsolationStep(vpcId: string, group: GroupRef, permission: IpPermission): PlannedStep {
  return planStep(CLOSE_ISOLATION_GROUP, {
    id: `isolation-sg-egress:${vpcId}`,
    title: `Remove the allow-all egress rule of the isolation security group of ${vpcId}`,
    action: 'ec2:RevokeSecurityGroupEgress',
    target: groupIdParameter(group),
    parameters: { GroupId: groupIdParameter(group), IpPermissions: [permission] },
    why: 'a new security group allows all egress by default; the isolation group must have no rule at all',
    stage: STAGE.configureGroups,
    requires: groupRequires(group),
    run: async (ctx) =>
      alreadySoIs('InvalidPermission.NotFound', 'the rule was already removed', async () => {
        await ctx.clients.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: resolveGroupId(group, ctx), IpPermissions: [permission] }));
      }),
  });
}

/** A rule change racing with another response ends in the same state: that is success, not failure. */
async function alreadySoIs(code: string, detail: string, call: () => Promise<void>): Promise<StepRunResult> {
  try {
    await call();
    return { status: 'done' };
  } catch (error) {
    if (awsCodeOf(error) === code) return { status: 'done', detail };
    throw error;
  }
}
