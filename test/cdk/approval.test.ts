import { Match } from 'aws-cdk-lib/assertions';
import { CONFIG_CONTEXT_KEY } from '../../lib/config/load-config';
import { nagFindings } from './support/nag';
import { cdkJsonContext, synthesize, type Synthesized } from './support/synth';

const SLACK = { workspaceId: 'T0123ABCDEF', channelId: 'C0456GHIJKL' };
const withApproval = (more: Record<string, unknown> = {}) => ({ [CONFIG_CONTEXT_KEY]: { ...(cdkJsonContext()[CONFIG_CONTEXT_KEY] as object), approval: {}, ...more } });

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize({ context: withApproval({ chat: { slack: SLACK } }), nag: true });
});

it('probe', () => {
  expect(nagFindings(synth.app)).toEqual([]);
  void Match;
});
