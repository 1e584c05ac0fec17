import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { GuardDutyFindingJson } from '../../../bench/guardduty-stand-in';
import { startLatencyProxy, type LatencyProxy } from '../../../bench/latency-proxy';
import { createAwsClients } from '../../../lambda/aws/clients';
import { startConfirmation } from '../../../lambda/confirm/confirmation';
import { CONFIRMED_PREFIX, FINDING_CONFIRMATION } from '../../../lambda/confirm/verdicts';
import { camelizeKeys, parseFindings } from '../../../lambda/finding/parse';
import { guardDutyTypeNameOf } from '../../../lambda/finding/sequence-types';
import { ReadLog } from '../../../lambda/plan/reads';
import { actsInFindingAccount, PLAYBOOK_NAMES } from '../../../lambda/routing/playbook-names';
import { enforceConfig } from '../../support/aws-mocks/contain-finding';
import { loadFixtures } from '../../support/fixtures';

/*
 * The compared fields (lambda/confirm/compared-fields.ts) read GuardDuty's
 * copy under the SDK's member names; the delivery under its JSON names.
 * That the two are the same field is the SDK's reading of GuardDuty's wire
 * form, proven here with the real GuardDutyClient: every fixture of an
 * acting playbook is held by the benchmark's GuardDuty stand-in in that
 * JSON form (the EventBridge detail's), answered through a loopback proxy,
 * parsed by the SDK, and confirmed as delivered. A field read under a name
 * the SDK does not use would be absent on GuardDuty's side and refuse it.
 */

let proxy: LatencyProxy;

beforeAll(async () => {
  // A closed port: a request the proxy forwarded would fail the test.
  proxy = await startLatencyProxy({ target: 'http://127.0.0.1:9', latencyMs: 0 });
});

afterAll(() => proxy.close());

type Json = Record<string, unknown>;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** Times GuardDuty's API sends as text (the SDK reads them as strings); every other time in a finding is an API timestamp. */
const TEXT_TIMES = new Set(['eventFirstSeen', 'eventLastSeen', 'launchTime']);

/**
 * EventBridge's detail writes every time as ISO text; GuardDuty's API sends
 * its timestamp members as epoch seconds (the SDK refuses text there). The
 * finding's own createdAt and updatedAt are text in both.
 */
function apiTimes(value: unknown, key: string, depth: number): unknown {
  if (Array.isArray(value)) return value.map((item) => apiTimes(item, key, depth + 1));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, inner]) => [k, apiTimes(inner, k, depth + 1)]));
  const textInApi = TEXT_TIMES.has(key) || (depth === 1 && (key === 'createdAt' || key === 'updatedAt'));
  return typeof value === 'string' && ISO_TIME.test(value) && !textInApi ? Date.parse(value) / 1000 : value;
}

/** The finding in GuardDuty's API JSON, as it is held: not archived, not a sample (those are refused or not asked about, whatever the fields). */
function wireForm(json: unknown): Json {
  const root = json as Json;
  const finding = (('detail' in root ? root.detail : 'Findings' in root ? camelizeKeys((root.Findings as unknown[])[0]) : 'Id' in root ? camelizeKeys(root) : root) ?? {}) as Json;
  const service = (finding.service ?? {}) as Json;
  return { ...finding, service: { ...service, archived: false, additionalInfo: { ...(service.additionalInfo as Json | undefined), sample: false } } };
}

/**
 * GuardDuty names a sequence resource's type in resourceType only (the API's ResourceV2 has no `type`); the
 * fixtures written in the Security Hub spelling (`type: AWS::S3::Bucket`) are held in GuardDuty's (S3_BUCKET).
 */
function inGuardDutySpelling(finding: Json): Json {
  const service = finding.service as Json;
  const sequence = (service.detection as Json | undefined)?.sequence as Json | undefined;
  if (!sequence) return finding;
  const resources = ((sequence.resources ?? []) as Json[]).map(({ type, ...rest }) => ({
    ...rest,
    resourceType: rest.resourceType ?? guardDutyTypeNameOf(typeof type === 'string' ? type : undefined),
  }));
  return { ...finding, service: { ...service, detection: { ...(service.detection as Json), sequence: { ...sequence, resources } } } };
}

const acting = loadFixtures().filter((f) => actsInFindingAccount(f.expectedPlaybook));

it('covers a fixture of every acting playbook', () => {
  expect([...new Set(acting.map((f) => f.expectedPlaybook))].sort()).toEqual(PLAYBOOK_NAMES.filter(actsInFindingAccount).sort());
});

it.each(acting.map((f) => [f.name, f] as const))('%s: held by GuardDuty in its wire form, read by the SDK, confirmed as delivered', async (_name, fixture) => {
  proxy.guardDuty.forgetAll();
  const wire = wireForm(fixture.json);
  const finding = parseFindings(wire)[0]!;
  const region = finding.region ?? 'us-east-1';
  proxy.guardDuty.hold(apiTimes(inGuardDutySpelling(wire), '', 0) as GuardDutyFindingJson);
  const home = createAwsClients({ region, endpoint: proxy.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 }, { guardDuty: GuardDutyClient });
  const verdicts = await startConfirmation({ finding, playbook: fixture.expectedPlaybook, config: enforceConfig(), home, region, reads: new ReadLog() })!;
  expect(verdicts).toEqual([{ id: FINDING_CONFIRMATION, blocks: false, reason: expect.stringContaining(CONFIRMED_PREFIX) }]);
});
