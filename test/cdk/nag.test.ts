import { requiredIamActions } from '../../lambda/playbooks/registry';
import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';
import { acknowledgements, nagFindings, type AcknowledgementEntry } from './support/nag';
import { synthesize, type Synthesized } from './support/synth';

let synth: Synthesized;
let acks: AcknowledgementEntry[];

beforeAll(() => {
  // With the plugin registered as bin/app.ts does: an unacknowledged finding would make this throw.
  synth = synthesize({ nag: true });
  acks = acknowledgements(synth.app);
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    expect(nagFindings(synth.app)).toEqual([]);
  });

  it('acknowledges on single resources only, never on the stack or the app', () => {
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.path).not.toBe(synth.stack.node.path);
      expect(ack.path.startsWith(`${synth.stack.node.path}/`)).toBe(true);
    }
  });

  it('acknowledges IAM5 per wildcard resource, never the whole rule', () => {
    expect(acks.filter((ack) => ack.id === 'AwsSolutions-IAM5')).toEqual([]);
    for (const ack of acks.filter((a) => a.id.startsWith('AwsSolutions-IAM5'))) {
      expect(ack.id).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
      expect(ack.path).toMatch(/\/Role$/);
    }
  });

  it('names, in each IAM5 reason, the actions of that role the wildcard serves', () => {
    for (const playbook of PLAYBOOK_NAMES) {
      const role = synth.stack.playbooks[playbook].role.node.path;
      for (const ack of acks.filter((a) => a.path === role && a.id.startsWith('AwsSolutions-IAM5'))) {
        const named = ack.reason.slice(0, ack.reason.indexOf(': ')).split(', ');
        expect(named.length).toBeGreaterThan(0);
        expect(named.filter((action) => !(requiredIamActions(playbook) as string[]).includes(action))).toEqual([]);
      }
    }
  });

  it('gives every acknowledgement a reason a reviewer can check', () => {
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(60);
  });
});
