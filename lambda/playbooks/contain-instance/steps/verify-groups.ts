import type { ResponderSecurityGroup, SecurityGroupRule } from '../facts';
import { isResponderGroupName, MANAGED_BY_TAG, MANAGED_BY_VALUE, PURPOSE_TAG, SECURITY_GROUP_DESCRIPTIONS } from '../names';

/*
 * A group found by the responder's tags is only a candidate: anyone who can
 * tag a security group can make one look like the responder's. It is used
 * only if it is what the responder itself makes, judged from the rule list
 * DescribeSecurityGroups already returned (no further call, so no round
 * trip before isolation):
 *   - isolation: no rule at all, in either direction;
 *   - untrack: the responder's name, description and tags, and exactly the
 *     allow-all rules both ways (all protocols, 0.0.0.0/0 and ::/0), nothing
 *     else. An allow-all group with one more rule is not "ours plus a
 *     rule", it is someone's group with our tags.
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

/** Why the group cannot be the isolation group; empty when it can. */
export function isolationGroupFlaws(group: ResponderSecurityGroup, vpcId: string): string[] {
  return [
    ...(group.vpcId !== vpcId ? [`it is in ${group.vpcId}, not ${vpcId}`] : []),
    ...(group.ingress.length > 0 ? [`it has ingress rules (${describeRules(group.ingress)})`] : []),
    ...(group.egress.length > 0 ? [`it has egress rules (${describeRules(group.egress)})`] : []),
  ];
}

/** Why the group cannot be the untrack group; empty when it is exactly what the responder creates. */
export function untrackGroupFlaws(group: ResponderSecurityGroup, vpcId: string): string[] {
  const flaws: string[] = [];
  if (group.vpcId !== vpcId) flaws.push(`it is in ${group.vpcId}, not ${vpcId}`);
  if (!isResponderGroupName(group.groupName, 'untrack')) flaws.push('its name is not one the responder gives');
  if (group.description !== SECURITY_GROUP_DESCRIPTIONS.untrack) flaws.push('its description is not the one the responder gives');
  const tags = group.tags;
  if (tags.Name !== group.groupName || tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE || tags[PURPOSE_TAG] !== 'untrack') {
    flaws.push('its tags are not the ones the responder gives at creation');
  }
  if (!isExactlyAllowAll(group.ingress)) flaws.push(`its ingress rules are not exactly "all traffic from 0.0.0.0/0 and ::/0" (${describeRules(group.ingress) || 'none'})`);
  if (!isExactlyAllowAll(group.egress)) flaws.push(`its egress rules are not exactly "all traffic to 0.0.0.0/0 and ::/0" (${describeRules(group.egress) || 'none'})`);
  return flaws;
}
