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
