import { known } from '../../lambda/playbooks/contain-instance/facts';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from '../../lambda/playbooks/contain-instance/names';
import { planContainInstance } from '../../lambda/playbooks/contain-instance/plan';
import type { PlannedStep } from '../../lambda/plan/types';
import { containFacts, planningInput } from '../support/aws-mocks/contain-facts';
import { containFinding, DNS_REBIND_TYPE } from '../support/aws-mocks/contain-finding';
import { decide, flattenStatement, type PolicyStatement, type RequestContext } from './support/policy-evaluator';
import { synthesize, synthesizeMember } from './support/synth';
import { roleIdOf, statementsOfRole } from './support/template-queries';

/*
 * The EC2 conditions of the roles against the requests the playbook really
 * sends: every request of a full containment plan (groups created, tags,
 * snapshots, instance profile removed), its tags and attributes read from the
 * planned parameters, never from a second list, is allowed by the
 * contain-instance role and the member role; the same calls on what the
 * playbook never touches are not.
 *
 * The moto emulator does not evaluate IAM policies at all, so the
 * integration tests cannot prove this; these decisions come from
 * test/cdk/support/policy-evaluator.ts.
 */

const ACCOUNT = '222222222222';
const REGION = 'eu-west-1';
const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION };
const arn = (type: string, id: string) => `arn:aws:ec2:${REGION}:${type === 'snapshot' ? '' : ACCOUNT}:${type}/${id}`;

const containRole = (() => {
  const synth = synthesize();
  return statementsOfRole(synth.template, roleIdOf(synth.template, 'contain-instance')).map((s) =>
    flattenStatement(s as unknown as Record<string, unknown>, PSEUDO),
  );
})();
const memberRole = (() => {
  const member = synthesizeMember({ context: { incidentResponse: { securityAccountId: '999988887777' } } });
  const [roleId] = Object.keys(member.template.findResources('AWS::IAM::Role'));
  return statementsOfRole(member.template, roleId!).map((s) => flattenStatement(s as unknown as Record<string, unknown>, PSEUDO));
})();
const ROLES: [string, PolicyStatement[]][] = [
  ['contain-instance role', containRole],
  ['member role', memberRole],
];

interface Tag {
  readonly Key: string;
  readonly Value: string;
}

function tagContext(tags: readonly Tag[]): RequestContext {
  return { 'aws:TagKeys': tags.map((t) => t.Key), ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])) };
}

/** A full plan: no responder group yet (both are created), a credential-theft finding (the profile is removed), two volumes. */
const plan = planContainInstance(
  planningInput(containFacts({ responderSecurityGroups: known([]) }), { finding: containFinding({ type: DNS_REBIND_TYPE }) }),
);
const ec2Steps = plan.steps.filter((step) => step.action.startsWith('ec2:'));
const params = (step: PlannedStep) => step.parameters as Record<string, unknown>;

/** One IAM request per authorised resource of the call, as EC2 makes them (Service Authorization Reference resource types). */
interface Request {
  readonly step: string;
  readonly action: string;
  readonly resource: string;
  readonly context: RequestContext;
}

/** The resource a created-group output stands for: a group the responder created, so it carries the managed-by tag. */
const CREATED_GROUP = { id: 'sg-0created000000001', context: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE } };

/** How EC2 names the attribute a ModifyInstanceAttribute request changes (the ec2:Attribute key). */
function instanceAttribute(input: Record<string, unknown>): { name: string; value?: string } {
  if (typeof input.Attribute === 'string') return { name: input.Attribute, value: String(input.Value) };
  if (input.DisableApiTermination) return { name: 'disableApiTermination', value: String((input.DisableApiTermination as { Value: boolean }).Value) };
  if (input.BlockDeviceMappings) return { name: 'blockDeviceMapping' };
  throw new Error(`no known attribute in ${JSON.stringify(input)}`);
}

function requestsOf(step: PlannedStep): Request[] {
  const p = params(step);
  const base = { step: step.id, action: step.action };
  switch (step.action) {
    case 'ec2:CreateTags': {
      const tags = p.Tags as Tag[];
      return (p.Resources as string[]).map((id) => ({ ...base, resource: arn('instance', id), context: tagContext(tags) }));
    }
    case 'ec2:CreateSecurityGroup':
    case 'ec2:CreateSnapshots': {
      const [spec] = p.TagSpecifications as { ResourceType: string; Tags: Tag[] }[];
      const created = arn(spec!.ResourceType, 'new');
      const context = tagContext(spec!.Tags);
      const createAction = step.action.slice('ec2:'.length);
      const others =
        step.action === 'ec2:CreateSecurityGroup'
          ? [arn('vpc', p.VpcId as string)]
          : [arn('instance', (p.InstanceSpecification as { InstanceId: string }).InstanceId), arn('volume', 'vol-0root00000000001')];
      return [
        { ...base, resource: created, context },
        ...others.map((resource) => ({ ...base, resource, context })),
        // Tags given at creation are authorised as CreateTags too.
        { ...base, action: 'ec2:CreateTags', resource: created, context: { ...context, 'ec2:CreateAction': createAction } },
      ];
    }
    case 'ec2:AuthorizeSecurityGroupIngress':
    case 'ec2:AuthorizeSecurityGroupEgress':
    case 'ec2:RevokeSecurityGroupEgress':
      return [{ ...base, resource: arn('security-group', CREATED_GROUP.id), context: CREATED_GROUP.context }];
    case 'ec2:ModifyNetworkInterfaceAttribute':
      return [
        { ...base, resource: arn('network-interface', p.NetworkInterfaceId as string), context: { 'ec2:Attribute': 'groupSet' } },
        ...(p.Groups as string[]).map((group) => ({ ...base, resource: arn('security-group', group.startsWith('sg-') ? group : CREATED_GROUP.id), context: {} })),
      ];
    case 'ec2:ModifyInstanceAttribute': {
      const { name, value } = instanceAttribute(p);
      const context = { 'ec2:Attribute': name, ...(value === undefined ? {} : { [`ec2:Attribute/${name}`]: value }) };
      return [{ ...base, resource: arn('instance', p.InstanceId as string), context }];
    }
    case 'ec2:DisassociateIamInstanceProfile':
      return [{ ...base, resource: arn('instance', 'i-0a1b2c3d4e5f60718'), context: {} }];
    default:
      throw new Error(`no IAM request model for ${step.action} (step ${step.id}): add one`);
  }
}

describe.each(ROLES)('the %s', (_name, statements) => {
  it('allows every EC2 request of a full containment, with the tags and attributes the code sends', () => {
    const requests = ec2Steps.flatMap(requestsOf);
    // The plan holds every kind of EC2 write the playbook makes.
    expect(new Set(requests.map((r) => r.action))).toEqual(
      new Set([
        'ec2:CreateSecurityGroup',
        'ec2:CreateTags',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:ModifyNetworkInterfaceAttribute',
        'ec2:ModifyInstanceAttribute',
        'ec2:CreateSnapshots',
        'ec2:DisassociateIamInstanceProfile',
      ]),
    );
    for (const request of requests) {
      expect({ ...request, decision: decide(statements, request.action, request.resource, request.context) }).toEqual({ ...request, decision: 'allow' });
    }
  });

  it('allows no tag key the playbook does not write, and the managed-by tag only at the creation of a group', () => {
    const instance = arn('instance', 'i-1');
    expect(decide(statements, 'ec2:CreateTags', instance, tagContext([{ Key: 'env', Value: 'dev' }]))).toBe('implicit-deny');
    expect(decide(statements, 'ec2:CreateTags', instance, tagContext([{ Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE }]))).toBe('implicit-deny');
    const group = arn('security-group', 'sg-prod');
    expect(decide(statements, 'ec2:CreateTags', group, tagContext([{ Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE }]))).toBe('implicit-deny');
    expect(decide(statements, 'ec2:CreateSecurityGroup', arn('security-group', 'new'), tagContext([{ Key: 'Name', Value: 'x' }]))).toBe('implicit-deny');
  });

  it('changes no rule of a group the responder did not create and tag', () => {
    for (const action of ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress']) {
      expect(decide(statements, action, arn('security-group', 'sg-prod'), {})).toBe('implicit-deny');
      expect(decide(statements, action, arn('security-group', 'sg-prod'), { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: 'someone-else' })).toBe('implicit-deny');
    }
  });

  it('changes no other instance attribute, nor preservation back', () => {
    const instance = arn('instance', 'i-1');
    // groupSet is the early move's (lambda/playbooks/contain-instance/early/): the security groups of the instance's one ENI.
    expect(decide(statements, 'ec2:ModifyInstanceAttribute', instance, { 'ec2:Attribute': 'groupSet' })).toBe('allow');
    for (const attribute of ['userData', 'instanceType', 'sourceDestCheck', 'kernel']) {
      expect(decide(statements, 'ec2:ModifyInstanceAttribute', instance, { 'ec2:Attribute': attribute })).toBe('implicit-deny');
    }
    const off = { 'ec2:Attribute': 'disableApiTermination', 'ec2:Attribute/disableApiTermination': 'false' };
    expect(decide(statements, 'ec2:ModifyInstanceAttribute', instance, off)).toBe('implicit-deny');
    expect(decide(statements, 'ec2:ModifyNetworkInterfaceAttribute', arn('network-interface', 'eni-1'), { 'ec2:Attribute': 'sourceDestCheck' })).toBe(
      'implicit-deny',
    );
  });

  it('acts on nothing that carries the exempt tag, whatever the code decides', () => {
    const exempt = { 'aws:ResourceTag/ir:exempt': '' };
    for (const request of ec2Steps.flatMap(requestsOf).filter((r) => /:(instance|volume|network-interface)\//.test(r.resource))) {
      const context = { ...request.context, ...exempt };
      expect({ ...request, decision: decide(statements, request.action, request.resource, context) }).toEqual({ ...request, decision: 'explicit-deny' });
    }
  });
});
