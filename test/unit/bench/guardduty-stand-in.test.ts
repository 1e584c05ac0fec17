import { GetFindingsCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { instanceFindingEvent } from '../../../bench/findings';
import type { GuardDutyFindingJson } from '../../../bench/guardduty-stand-in';
import { startLatencyProxy, type LatencyProxy } from '../../../bench/latency-proxy';
import { createAwsClients } from '../../../lambda/aws/clients';
import { startConfirmation } from '../../../lambda/confirm/confirmation';
import { CONFIRMED_PREFIX, FINDING_CONFIRMATION, isConfirmed } from '../../../lambda/confirm/verdicts';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import type { GuardVerdict } from '../../../lambda/guards/types';
import { ReadLog } from '../../../lambda/plan/reads';
import { enforceConfig } from '../../support/aws-mocks/contain-finding';

/*
 * The benchmark's GuardDuty stand-in (bench/guardduty-stand-in.ts, answered
 * by the latency proxy) against the real SDK: the GuardDutyClient sends its
 * requests through the proxy and deserializes the answers, and the
 * responder's own confirmation (lambda/confirm/) judges what it parsed. So
 * the stand-in's wire shape cannot drift from what the SDK reads: a finding
 * it holds is confirmed, an unknown or archived one is not. Loopback only,
 * no delay, nothing forwarded (the proxy's target is never contacted).
 */

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
let proxy: LatencyProxy;

beforeAll(async () => {
  // A closed port: any request the proxy forwarded would fail the test.
  proxy = await startLatencyProxy({ target: 'http://127.0.0.1:9', latencyMs: 0 });
});

afterAll(() => proxy.close());

beforeEach(() => {
  proxy.clear();
  proxy.guardDuty.forgetAll();
});

function delivered(findingId: string): { detail: GuardDutyFindingJson; finding: Finding } {
  const event = instanceFindingEvent({ findingId, accountId: ACCOUNT, region: REGION, instanceId: 'i-0123456789abcdef0' });
  const detail = event.detail as GuardDutyFindingJson;
  return { detail, finding: parseFindings(event)[0]! };
}

function guardDutyClient(): GuardDutyClient {
  return new GuardDutyClient({ region: REGION, endpoint: proxy.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
}

async function confirmationOf(finding: Finding): Promise<{ verdicts: GuardVerdict[]; reads: ReadLog }> {
  const reads = new ReadLog();
  const home = createAwsClients({ region: REGION, endpoint: proxy.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 }, { guardDuty: GuardDutyClient });
  const verdicts = await startConfirmation({ finding, playbook: 'contain-instance', config: enforceConfig(), home, region: REGION, reads })!;
  return { verdicts, reads };
}

describe('the bench GuardDuty stand-in, through the real GuardDutyClient', () => {
  it('ListDetectors: the one detector, recorded as a call of its own', async () => {
    const answer = await guardDutyClient().send(new ListDetectorsCommand({}));
    expect(answer.DetectorIds).toEqual([proxy.guardDuty.detectorId]);
    expect(proxy.calls.map((c) => ({ operation: c.operation, status: c.status, upstreamMs: c.upstreamMs, accessKeyId: c.accessKeyId }))).toEqual([
      { operation: 'ListDetectors', status: 200, upstreamMs: 0, accessKeyId: 'testing' },
    ]);
  });

  it('GetFindings: the held finding, parsed by the SDK into the fields the confirmation compares', async () => {
    const { detail } = delivered('bench-held-1');
    proxy.guardDuty.hold(detail);
    const answer = await guardDutyClient().send(new GetFindingsCommand({ DetectorId: proxy.guardDuty.detectorId, FindingIds: ['bench-held-1', 'bench-not-held'] }));
    expect(answer.Findings).toHaveLength(1);
    expect(answer.Findings![0]).toMatchObject({
      Id: 'bench-held-1',
      AccountId: ACCOUNT,
      Region: REGION,
      Type: 'CryptoCurrency:EC2/BitcoinTool.B',
      Severity: 8,
      Resource: { ResourceType: 'Instance', InstanceDetails: { InstanceId: 'i-0123456789abcdef0' } },
      Service: { Archived: false, ResourceRole: 'TARGET' },
    });
    expect(proxy.calls.map((c) => ({ operation: c.operation, params: c.params }))).toEqual([
      { operation: 'GetFindings', params: { DetectorId: proxy.guardDuty.detectorId, 'FindingIds.1': 'bench-held-1', 'FindingIds.2': 'bench-not-held' } },
    ]);
  });

  it('GetFindings through another detector id: BadRequestException, as GuardDuty refuses it', async () => {
    await expect(guardDutyClient().send(new GetFindingsCommand({ DetectorId: 'aaaabbbbccccddddeeeeffff00001111', FindingIds: ['x'] }))).rejects.toMatchObject({
      name: 'BadRequestException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('a held finding: the confirmation asks ListDetectors then GetFindings and confirms it', async () => {
    const { detail, finding } = delivered('bench-held-2');
    proxy.guardDuty.hold(detail);
    const { verdicts, reads } = await confirmationOf(finding);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ id: FINDING_CONFIRMATION, blocks: false, reason: expect.stringContaining(CONFIRMED_PREFIX) });
    expect(isConfirmed(verdicts[0]!)).toBe(true);
    expect(reads.outcomes.map((o) => [o.action, o.status])).toEqual([
      ['guardduty:ListDetectors', 'done'],
      ['guardduty:GetFindings', 'done'],
    ]);
    expect(proxy.calls.map((c) => c.operation)).toEqual(['ListDetectors', 'GetFindings']);
  });

  it('an id the stand-in does not hold: answered with no finding, and the confirmation refuses it', async () => {
    proxy.guardDuty.hold(delivered('bench-held-3').detail);
    const { verdicts } = await confirmationOf(delivered('bench-forged').finding);
    expect(verdicts[0]).toMatchObject({ id: FINDING_CONFIRMATION, blocks: true, reason: expect.stringContaining('holds no finding bench-forged') });
    expect(isConfirmed(verdicts[0]!)).toBe(false);
    const getFindings = proxy.calls.find((c) => c.operation === 'GetFindings');
    expect(getFindings?.status).toBe(200);
  });

  it('a held finding archived in GuardDuty: parsed as archived, and the confirmation refuses it', async () => {
    const { detail, finding } = delivered('bench-archived');
    proxy.guardDuty.hold({ ...detail, service: { ...(detail.service as object), archived: true } });
    const { verdicts } = await confirmationOf(finding);
    expect(verdicts[0]).toMatchObject({ id: FINDING_CONFIRMATION, blocks: true, reason: expect.stringContaining('as archived') });
  });
});
