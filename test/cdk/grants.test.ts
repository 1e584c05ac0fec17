import type { StepSpec } from '../../lambda/plan/types';
import { grantsOf, scopedGrants } from '../../lib/iam/scoped-statements';

/* How step declarations become grants (lib/iam/scoped-statements.ts), on hand-made declarations. */

const REFS = { partition: 'aws', account: '111122223333' };
const TAGS = { 'ForAllValues:StringLike': { 'aws:TagKeys': ['ir:a'] } };

describe('grantsOf', () => {
  it('grants an action a step confines only through its grants, any other action of the step on its usual scope', () => {
    const spec: StepSpec = {
      kind: 'tag',
      iamActions: ['ec2:CreateTags', 'ec2:DescribeInstances'],
      mutating: true,
      iamGrants: [{ action: 'ec2:CreateTags', ec2ResourceTypes: ['instance'], condition: TAGS }],
    };
    expect(grantsOf([spec])).toEqual([{ action: 'ec2:CreateTags', ec2ResourceTypes: ['instance'], condition: TAGS }, { action: 'ec2:DescribeInstances' }]);
  });

  it('keeps each step’s own confinement of a shared action (IAM ORs them), once each', () => {
    const a: StepSpec = { kind: 'a', iamActions: ['ec2:CreateTags'], mutating: true, iamGrants: [{ action: 'ec2:CreateTags', ec2ResourceTypes: ['instance'], condition: TAGS }] };
    const b: StepSpec = { kind: 'b', iamActions: ['ec2:CreateTags'], mutating: true, iamGrants: [{ action: 'ec2:CreateTags', ec2ResourceTypes: ['snapshot'] }] };
    expect(grantsOf([a, b, a]).map((g) => g.ec2ResourceTypes)).toEqual([['instance'], ['snapshot']]);
  });

  it('refuses a grant for an action the step does not declare', () => {
    const spec: StepSpec = { kind: 'odd', iamActions: ['ec2:CreateTags'], mutating: true, iamGrants: [{ action: 'ec2:DeleteTags' }] };
    expect(() => grantsOf([spec])).toThrow('step kind odd grants ec2:DeleteTags without declaring it');
  });
});

describe('scopedGrants', () => {
  it('builds EC2 resource ARNs of the account (snapshots carry none) and groups actions sharing resources and condition', () => {
    const grants = scopedGrants(
      [
        { action: 'ec2:AuthorizeSecurityGroupIngress', ec2ResourceTypes: ['security-group'], condition: TAGS },
        { action: 'ec2:AuthorizeSecurityGroupEgress', ec2ResourceTypes: ['security-group'], condition: TAGS },
        { action: 'ec2:CreateSnapshots', ec2ResourceTypes: ['snapshot'] },
      ],
      REFS,
    );
    expect(grants).toEqual([
      {
        kind: 'ec2-resource-types',
        actions: ['ec2:AuthorizeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress'],
        resources: ['arn:aws:ec2:*:111122223333:security-group/*'],
        condition: TAGS,
      },
      { kind: 'ec2-resource-types', actions: ['ec2:CreateSnapshots'], resources: ['arn:aws:ec2:*::snapshot/*'] },
    ]);
  });
});
