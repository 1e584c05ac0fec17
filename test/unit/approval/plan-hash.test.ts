import { canonicalJson, planHashOf } from '../../../lambda/approval/plan-hash';
import { checkReplan, withFirstActOutputs } from '../../../lambda/approval/replan-check';

/* The hash an approval binds to (lambda/approval/plan-hash.ts), and the re-plan check (replan-check.ts). */

const isolate = (eni: string, groups: string[]) => ({
  id: `isolate:${eni}`,
  kind: 'isolate-eni',
  action: 'ec2:ModifyNetworkInterfaceAttribute' as const,
  target: eni,
  parameters: { NetworkInterfaceId: eni, Groups: groups },
});

describe('planHashOf', () => {
  it('is the sha256 of the canonical JSON of {id, kind, action, target, parameters}, keys sorted at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[2,{"y":null,"z":1}]},"b":1}');
    expect(planHashOf([isolate('eni-1', ['sg-1'])])).toMatch(/^[0-9a-f]{64}$/);
    // Key order of the parameters does not matter; what the step is called or why does not either.
    const reordered = { ...isolate('eni-1', ['sg-1']), parameters: { Groups: ['sg-1'], NetworkInterfaceId: 'eni-1' }, title: 'another title' };
    expect(planHashOf([reordered])).toBe(planHashOf([isolate('eni-1', ['sg-1'])]));
  });

  it('changes with a target, a parameter, or the order of the steps', () => {
    const base = planHashOf([isolate('eni-1', ['sg-1']), isolate('eni-2', ['sg-1'])]);
    expect(planHashOf([isolate('eni-1', ['sg-2']), isolate('eni-2', ['sg-1'])])).not.toBe(base);
    expect(planHashOf([isolate('eni-3', ['sg-1']), isolate('eni-2', ['sg-1'])])).not.toBe(base);
    expect(planHashOf([isolate('eni-2', ['sg-1']), isolate('eni-1', ['sg-1'])])).not.toBe(base);
  });
});

describe('checkReplan', () => {
  const approved = [isolate('eni-1', ['sg-1']), isolate('eni-2', ['sg-1'])];

  it('covers the same plan, and a narrower one (an interface gone since)', () => {
    expect(checkReplan(approved, approved)).toEqual({ covered: true, uncovered: [] });
    expect(checkReplan(approved, [isolate('eni-2', ['sg-1'])])).toEqual({ covered: true, uncovered: [] });
  });

  it('does not cover an added step, or a step whose parameters widened', () => {
    expect(checkReplan(approved, [...approved, isolate('eni-3', ['sg-1'])])).toEqual({ covered: false, uncovered: ['isolate:eni-3'] });
    expect(checkReplan(approved, [isolate('eni-1', ['sg-1', 'sg-9']), isolate('eni-2', ['sg-1'])])).toEqual({ covered: false, uncovered: ['isolate:eni-1'] });
  });
});

describe('checkReplan on tag lists (ec2:CreateTags)', () => {
  const tagging = (tags: { Key: string; Value: string }[]) => ({ id: 'tag-instance', kind: 'tag-instance', action: 'ec2:CreateTags' as const, target: 'i-1', parameters: { Resources: ['i-1'], Tags: tags } });
  const approved = [tagging([{ Key: 'ir:isolated-at', Value: '2026-12-06T10:00:00Z' }, { Key: 'ir:original-sgs:eni-1', Value: 'sg-1' }, { Key: 'ir:original-sgs:eni-2', Value: 'sg-2' }])];

  it('covers the same keys with other values (the isolation time of the later planning), and fewer keys (an interface gone)', () => {
    expect(checkReplan(approved, [tagging([{ Key: 'ir:isolated-at', Value: '2026-12-06T11:00:00Z' }, { Key: 'ir:original-sgs:eni-1', Value: 'sg-1' }, { Key: 'ir:original-sgs:eni-2', Value: 'sg-2' }])]).covered).toBe(true);
    expect(checkReplan(approved, [tagging([{ Key: 'ir:isolated-at', Value: '2026-12-06T11:00:00Z' }, { Key: 'ir:original-sgs:eni-1', Value: 'sg-1' }])]).covered).toBe(true);
  });

  it('does not cover a key that was not shown, another resource, or another action', () => {
    expect(checkReplan(approved, [tagging([{ Key: 'ir:original-sgs:eni-3', Value: 'sg-3' }])])).toEqual({ covered: false, uncovered: ['tag-instance'] });
    expect(checkReplan(approved, [{ ...tagging([{ Key: 'ir:original-sgs:eni-1', Value: 'sg-1' }]), parameters: { Resources: ['i-2'], Tags: [{ Key: 'ir:original-sgs:eni-1', Value: 'sg-1' }] } }]).covered).toBe(false);
    expect(checkReplan(approved, [{ ...tagging([{ Key: 'ir:original-sgs:eni-1', Value: 'sg-1' }]), target: 'i-2' }]).covered).toBe(false);
    expect(checkReplan(approved, [{ ...tagging([{ Key: 'ir:original-sgs:eni-1', Value: 'sg-1' }]), action: 'ec2:DeleteTags' as never }]).covered).toBe(false);
    // A list that is not a tag list compares exactly: fewer groups is another change.
    expect(checkReplan([isolate('eni-1', ['sg-1', 'sg-2'])], [isolate('eni-1', ['sg-1'])]).covered).toBe(false);
  });
});

describe('withFirstActOutputs', () => {
  it('names what the first act created by its id, so that the plan made again is compared with the same change', () => {
    const approved = [{ ...isolate('eni-1', ['<output of create-isolation-sg:vpc-1>']), target: 'eni-1' }];
    const resolved = withFirstActOutputs(approved, { 'create-isolation-sg:vpc-1': 'sg-0new', other: ['x'] });
    expect(resolved[0]!.parameters).toEqual({ NetworkInterfaceId: 'eni-1', Groups: ['sg-0new'] });
    expect(checkReplan(resolved, [isolate('eni-1', ['sg-0new'])])).toEqual({ covered: true, uncovered: [] });
    // Produced nothing usable: the placeholder stays, and a concrete group is not covered by it.
    expect(withFirstActOutputs(approved, {})[0]!.parameters).toEqual({ NetworkInterfaceId: 'eni-1', Groups: ['<output of create-isolation-sg:vpc-1>'] });
    expect(checkReplan(withFirstActOutputs(approved, {}), [isolate('eni-1', ['sg-0new'])]).covered).toBe(false);
  });
});
