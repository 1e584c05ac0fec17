import type { ResponderSecurityGroup, SecurityGroupRule } from '../facts';
import { isResponderGroupName, MANAGED_BY_TAG, MANAGED_BY_VALUE, PURPOSE_TAG, SECURITY_GROUP_DESCRIPTIONS, type SecurityGroupPurpose } from '../names';

/*
 * A group found by the responder's tags is only a candidate: anyone who can
 * tag a security group can make one look like the responder's. It is used
 * only if it is what the responder itself makes, judged from what
 * DescribeSecurityGroups already returned (no further call, so no round
 * trip before isolation): the responder's name, description and tags
 * (Name = the group's name, managed-by, purpose), its VPC, and
 *   - isolation: no rule at all, in either direction;
 *   - untrack: exactly the allow-all rules both ways (all protocols,
 *     0.0.0.0/0 and ::/0), nothing else. An allow-all group with one more
 *     rule is not "ours plus a rule", it is someone's group with our tags.
 * "No rules" alone is not enough for an isolation group: an empty group
 * anyone made and tagged would be adopted, and an ENI its maker moved onto
 * it would count as already isolated, until a rule is added to it. What is
 * left (someone cloning name, description and tags exactly) is closed by
 * reserving the responder's tag keys to its roles (docs/threat-model.md, Known limits).
 * The responder never changes the rules of a group it found; a group that
 * fails is left as it is and a fresh one is created.
 */

/** The two rules each direction of the untrack group has, and the only ones. */
const ALLOW_ALL: ReadonlySet<string> = new Set(['-1 ipv4:0.0.0.0/0', '-1 ipv6:::/0']);

/** A rule as one comparable string; ports mean nothing for "all protocols". */
function ruleKey(rule: SecurityGroupRule): string {
  return rule.protocol === '-1' ? `-1 ${rule.peer}` : `${rule.protocol} ${rule.fromPort ?? ''}-${rule.toPort ?? ''} ${rule.peer}`;
}

/** At most a few rules, in AWS's own terms (no free text from the group): the report says what was wrong without growing unbounded. */
function describeRules(rules: readonly SecurityGroupRule[]): string {
  const keys = [...new Set(rules.map(ruleKey))];
  const shown = keys.slice(0, 4).join(', ');
  return keys.length > 4 ? `${shown} and ${keys.length - 4} more` : shown;
}

function isExactlyAllowAll(rules: readonly SecurityGroupRule[]): boolean {
  const keys = new Set(rules.map(ruleKey));
  return keys.size === ALLOW_ALL.size && [...keys].every((k) => ALLOW_ALL.has(k));
}

/** What is wrong with the group's VPC, name, description and tags for this purpose; empty when they are the ones the responder gives. */
function identityFlaws(group: ResponderSecurityGroup, vpcId: string, purpose: SecurityGroupPurpose): string[] {
  const flaws: string[] = [];
  if (group.vpcId !== vpcId) flaws.push(`it is in ${group.vpcId}, not ${vpcId}`);
  if (!isResponderGroupName(group.groupName, purpose)) flaws.push('its name is not one the responder gives');
  if (group.description !== SECURITY_GROUP_DESCRIPTIONS[purpose]) flaws.push('its description is not the one the responder gives');
  const tags = group.tags;
  if (tags.Name !== group.groupName || tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE || tags[PURPOSE_TAG] !== purpose) {
    flaws.push('its tags are not the ones the responder gives at creation');
  }
  return flaws;
}

/** Why the group cannot be the isolation group; empty when it is exactly what the responder creates (and so may count as "already isolated"). */
export function isolationGroupFlaws(group: ResponderSecurityGroup, vpcId: string): string[] {
  return [
    ...identityFlaws(group, vpcId, 'isolation'),
    ...(group.ingress.length > 0 ? [`it has ingress rules (${describeRules(group.ingress)})`] : []),
    ...(group.egress.length > 0 ? [`it has egress rules (${describeRules(group.egress)})`] : []),
  ];
}

/** Why the group cannot be the untrack group; empty when it is exactly what the responder creates. */
export function untrackGroupFlaws(group: ResponderSecurityGroup, vpcId: string): string[] {
  const flaws = identityFlaws(group, vpcId, 'untrack');
  if (!isExactlyAllowAll(group.ingress)) flaws.push(`its ingress rules are not exactly "all traffic from 0.0.0.0/0 and ::/0" (${describeRules(group.ingress) || 'none'})`);
  if (!isExactlyAllowAll(group.egress)) flaws.push(`its egress rules are not exactly "all traffic to 0.0.0.0/0 and ::/0" (${describeRules(group.egress) || 'none'})`);
  return flaws;
}
