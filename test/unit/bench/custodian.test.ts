import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isolationOf, parseCustodianAnswer } from '../../../bench/custodian-runs';
import { ratioOf, SIDE_BY_SIDE_TARGETS, sideBySideRow, sideBySideVerdicts, type SideBySideRow } from '../../../bench/custodian-targets';
import type { RecordedCall } from '../../../bench/latency-proxy';

/* The side-by-side comparison with Cloud Custodian: its policy, its runner's answers, and how runs become ratios and verdicts. */

const ISOLATION = 'sg-0isolation';
const UNTRACK = 'sg-0untrack';

function call(seq: number, operation: string, sentAt: number, answeredAt: number, params: Record<string, string> = {}): RecordedCall {
  return { seq, operation, action: `ec2:${operation}`, params, accessKeyId: 'testing', sentAt, answeredAt, upstreamMs: 1, throttled: false, faulted: false, fault: undefined, status: 200 };
}

const move = (seq: number, eni: string, group: string, sentAt: number, answeredAt: number) =>
  call(seq, 'ModifyNetworkInterfaceAttribute', sentAt, answeredAt, { Action: 'ModifyNetworkInterfaceAttribute', NetworkInterfaceId: eni, 'SecurityGroupId.1': group });

describe('the Custodian policy', () => {
  // Compared without its comments: any change to what Custodian is asked to do shows here.
  const policy = readFileSync(join(__dirname, '../../../bench/custodian/policy.yml'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .join('\n');

  test('guard-duty mode on ec2: every group of every ENI replaced by the isolation group, then a snapshot', () => {
    expect(policy).toBe(
      [
        'policies:',
        '  - name: ec2-guardduty-isolate',
        '    resource: ec2',
        '    description: Isolate an EC2 instance GuardDuty reports and snapshot its volumes',
        '    mode:',
        '      type: guard-duty',
        '      role: arn:aws:iam::{account_id}:role/custodian-guardduty-response',
        '    actions:',
        '      - type: modify-security-groups',
        '        remove: all',
        '        isolation-group: ISOLATION_GROUP_ID',
        '      - type: snapshot',
      ].join('\n'),
    );
  });

  test('the placeholder the runner replaces is named in the runner', () => {
    const runner = readFileSync(join(__dirname, '../../../bench/custodian/run_custodian.py'), 'utf8');
    expect(runner).toContain("PLACEHOLDER = 'ISOLATION_GROUP_ID'");
  });
});

describe('the Custodian runner\'s answer', () => {
  test('parsed', () => {
    expect(parseCustodianAnswer('{"importStartedAt": 1.5, "handlerStartedAt": 2.5, "finishedAt": 9, "error": null}')).toEqual({
      importStartedAt: 1.5,
      handlerStartedAt: 2.5,
      finishedAt: 9,
      error: null,
    });
    expect(parseCustodianAnswer('{"importStartedAt": 1, "handlerStartedAt": 2, "finishedAt": 3, "error": "ClientError: denied"}').error).toBe('ClientError: denied');
  });

  test('anything else refused', () => {
    expect(() => parseCustodianAnswer('Traceback (most recent call last):')).toThrow('not JSON');
    expect(() => parseCustodianAnswer('{"importStartedAt": 1, "handlerStartedAt": 2, "error": null}')).toThrow('is not {importStartedAt');
    expect(() => parseCustodianAnswer('{"importStartedAt": "1", "handlerStartedAt": 2, "finishedAt": 3, "error": null}')).toThrow('is not {importStartedAt');
  });
});

describe('time to isolation of one run', () => {
  const instance = { instanceId: 'i-1', networkInterfaceIds: ['eni-a', 'eni-b'] };

  test('to the answer that put the isolation group on the last ENI, with the sequential round trips up to it', () => {
    const calls = [
      call(1, 'DescribeInstances', 100, 160),
      move(2, 'eni-a', ISOLATION, 170, 230),
      move(3, 'eni-b', ISOLATION, 240, 300),
      call(4, 'CreateSnapshots', 310, 380),
    ];
    expect(isolationOf(calls, 90, instance, ISOLATION)).toEqual({
      timeToIsolationMs: 210,
      roundTrips: 3,
      callsToIsolation: 'DescribeInstances, ModifyNetworkInterfaceAttribute, ModifyNetworkInterfaceAttribute',
    });
  });

  test('moves to another group, of another ENI, or refused do not count', () => {
    const refused = { ...move(4, 'eni-b', ISOLATION, 120, 170), status: 500 };
    const calls = [move(1, 'eni-a', UNTRACK, 100, 150), move(2, 'eni-a', ISOLATION, 160, 210), move(3, 'eni-x', ISOLATION, 160, 400), refused];
    expect(() => isolationOf(calls, 90, instance, ISOLATION)).toThrow('eni-b never moved onto the isolation group sg-0isolation');
    expect(isolationOf([...calls, move(5, 'eni-b', ISOLATION, 160, 215)], 90, instance, ISOLATION).timeToIsolationMs).toBe(125);
  });
});

describe('ratios and targets', () => {
  test('ratio of the responder\'s median to Custodian\'s, 2 decimals', () => {
    expect(ratioOf(300, 600)).toBe(0.5);
    expect(ratioOf(200, 300)).toBe(0.67);
    expect(() => ratioOf(100, 0)).toThrow('no ratio');
  });

  test('a row: medians of each side, the most round trips of any run', () => {
    const row = sideBySideRow(
      'warm',
      8,
      [{ timeToIsolationMs: 400, roundTrips: 3 }, { timeToIsolationMs: 100, roundTrips: 2 }, { timeToIsolationMs: 300, roundTrips: 3 }],
      [{ timeToIsolationMs: 500, roundTrips: 9 }, { timeToIsolationMs: 700, roundTrips: 9 }, { timeToIsolationMs: 600, roundTrips: 10 }],
    );
    expect(row).toEqual({ start: 'warm', enis: 8, runs: 3, responderMs: 300, custodianMs: 600, ratio: 0.5, responderRoundTrips: 3, custodianRoundTrips: 10 });
    expect(() => sideBySideRow('cold', 1, [{ timeToIsolationMs: 1, roundTrips: 1 }], [])).toThrow('1 responder run(s) against 0 Custodian run(s)');
  });

  const row = (start: 'warm' | 'cold', enis: number, ratio: number): SideBySideRow => ({
    start,
    enis,
    runs: 3,
    responderMs: ratio * 1000,
    custodianMs: 1000,
    ratio,
    responderRoundTrips: 3,
    custodianRoundTrips: 2,
  });

  test('issue 15\'s limits: 1.0x warm for 1 ENI, 0.5x warm for 8, 0.5x cold for both', () => {
    expect(SIDE_BY_SIDE_TARGETS.map((t) => `${t.start} ${t.enis} ${t.maxRatio}`)).toEqual(['warm 1 1', 'warm 8 0.5', 'cold 1 0.5', 'cold 8 0.5']);
    const verdicts = sideBySideVerdicts([row('warm', 1, 1.0), row('warm', 8, 0.51), row('cold', 1, 0.5), row('cold', 8, 0.2)]);
    expect(verdicts.map((v) => [v.start, v.enis, v.ratio, v.met])).toEqual([
      ['warm', 1, 1.0, true],
      ['warm', 8, 0.51, false],
      ['cold', 1, 0.5, true],
      ['cold', 8, 0.2, true],
    ]);
  });

  test('a target with no run is an error, not a pass', () => {
    expect(() => sideBySideVerdicts([row('warm', 1, 0.3), row('warm', 8, 0.3), row('cold', 1, 0.3)])).toThrow('no cold run with 8 ENI(s)');
  });
});
