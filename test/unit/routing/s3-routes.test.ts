import { compileEventPatterns } from '../../../lambda/routing/event-patterns';
import { DOCUMENTED_FINDING_TYPES } from '../../../lambda/routing/documented-types';
import { effectiveRoutingTable } from '../../../lambda/routing/overrides';
import { eventRulerMatches, prepareEventRuler } from '../../support/event-ruler';
import { loadFixtures } from '../../support/fixtures';

/*
 * The S3 routes under Event Ruler, EventBridge's own engine, with the
 * patterns the stack deploys: a public bucket reaches block-public-access, a
 * malicious object quarantine-object, and nothing else of S3 reaches either
 * (the data findings a principal makes are another playbook's, the account's
 * own Block Public Access is reported only). The fixtures are sent as they
 * are, in their real shapes.
 */

const patterns = compileEventPatterns(effectiveRoutingTable());
const playbookOf = new Map(patterns.map((p) => [p.id, p.playbook]));
const S3_PLAYBOOKS = new Set(['block-public-access', 'quarantine-object']);

function event(type: string, resourceType: string): Record<string, unknown> {
  return { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: { type, resource: { resourceType }, service: { resourceRole: 'TARGET' } } };
}

const BUCKET_TYPES = ['Policy:S3/BucketBlockPublicAccessDisabled', 'Policy:S3/BucketAnonymousAccessGranted', 'Policy:S3/BucketPublicAccessGranted'];
const S3_TYPES = DOCUMENTED_FINDING_TYPES.filter((type) => type.includes(':S3/'));
const fixtures = loadFixtures().filter((f) => S3_PLAYBOOKS.has(f.expectedPlaybook) || f.name.includes('s3'));

let matches: { fixtures: string[][]; keys: string[][] };
const keys = S3_TYPES.flatMap((type) => ['S3Bucket', 'S3Object', 'AccessKey'].map((resourceType) => ({ type, resourceType })));

beforeAll(() => {
  prepareEventRuler();
  const rules = patterns.map((p) => ({ name: p.id, pattern: p.pattern }));
  // A get-findings fixture is PascalCase: EventBridge only ever sees the camelCase detail, as the routing cases build it.
  const fixtureEvents = fixtures.map((f) => {
    const json = f.json as { detail?: unknown; Findings?: unknown[] };
    return json.detail ? json : { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: camel(json.Findings?.[0] ?? json) };
  });
  const [forFixtures, forKeys] = [eventRulerMatches(rules, fixtureEvents), eventRulerMatches(rules, keys.map((k) => event(k.type, k.resourceType)))];
  matches = { fixtures: forFixtures, keys: forKeys };
}, 300_000);

function camel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camel);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k[0]!.toLowerCase() + k.slice(1), camel(v)]));
}

describe('the S3 routes under Event Ruler', () => {
  it('send each S3 fixture to exactly one rule, of the playbook its folder names', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(6);
    const got = fixtures.map((f, i) => [f.name, matches.fixtures[i]!.map((rule) => playbookOf.get(rule))]);
    expect(got).toEqual(fixtures.map((f) => [f.name, [f.expectedPlaybook]]));
  });

  it('send the bucket exposure types on an S3Bucket to block-public-access, and Object:S3/MaliciousFile on an S3Object to quarantine-object', () => {
    const routed = keys.map((k, i) => [k.type, k.resourceType, matches.keys[i]!.map((rule) => playbookOf.get(rule))]).filter(([, , playbooks]) => (playbooks as string[]).some((p) => S3_PLAYBOOKS.has(p)));
    expect(routed).toEqual([
      ...BUCKET_TYPES.map((type) => [type, 'S3Bucket', ['block-public-access']]),
      ['Object:S3/MaliciousFile', 'S3Object', ['quarantine-object']],
    ].sort((a, b) => DOCUMENTED_FINDING_TYPES.indexOf(a[0] as string) - DOCUMENTED_FINDING_TYPES.indexOf(b[0] as string)));
  });

  it('send no S3 data finding (made by a principal) and not the account-level setting to the S3 playbooks', () => {
    const data = keys.flatMap((k, i) => (/^(Exfiltration|Impact|Discovery|PenTest|UnauthorizedAccess|Stealth):S3\//.test(k.type) || k.type === 'Policy:S3/AccountBlockPublicAccessDisabled' ? [matches.keys[i]!] : []));
    expect(data.length).toBeGreaterThan(10);
    expect(data.flat().filter((rule) => S3_PLAYBOOKS.has(playbookOf.get(rule) ?? ''))).toEqual([]);
  });
});
