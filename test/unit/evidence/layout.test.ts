import { evidenceKey, evidencePrefix, keySegment } from '../../../lambda/evidence/layout';
import { brakeReleaseEvidenceKey, releaseEvidenceKey } from '../../../lambda/evidence/release-layout';
import { readLambdaEnvironment } from '../../../lambda/runtime/environment';

describe('the evidence key layout', () => {
  const incident = { accountId: '222222222222', region: 'eu-west-1', incidentId: 'ir-0123456789abcdef', findingId: 'e77aa1b8a24da9674c86f83bb588777b' };

  it('is incidents/<account>/<region>/<incident id>/<finding id>/<file>', () => {
    expect(evidencePrefix(incident)).toBe('incidents/222222222222/eu-west-1/ir-0123456789abcdef/e77aa1b8a24da9674c86f83bb588777b/');
    expect(evidenceKey(incident, 'report.json')).toBe('incidents/222222222222/eu-west-1/ir-0123456789abcdef/e77aa1b8a24da9674c86f83bb588777b/report.json');
  });

  it('keeps a delivery GuardDuty did not confirm apart: incidents/unconfirmed/<account>/<region>/<incident id>/<finding id>/<delivery time>/', () => {
    const unconfirmed = { ...incident, unconfirmedDeliveryAt: '2026-11-22T08:00:00.000Z' };
    expect(evidenceKey(unconfirmed, 'finding.json')).toBe(
      'incidents/unconfirmed/222222222222/eu-west-1/ir-0123456789abcdef/e77aa1b8a24da9674c86f83bb588777b/2026-11-22T08_00_00.000Z/finding.json',
    );
  });

  it('names a missing account or region instead of leaving an empty segment', () => {
    expect(evidencePrefix({ ...incident, accountId: null, region: null })).toBe(
      'incidents/no-account/no-region/ir-0123456789abcdef/e77aa1b8a24da9674c86f83bb588777b/',
    );
  });

  it.each([
    ['../../other-account', '.._.._other-account'],
    ['..', '__'],
    ['.', '_'],
    ['id with spaces/and?query#frag', 'id_with_spaces_and_query_frag'],
    ['ünïcode\u0000', '_n_code_'],
  ])('makes the finding id %j one safe segment: %j', (findingId, segment) => {
    expect(keySegment(findingId, 'no-finding')).toBe(segment);
    expect(evidencePrefix({ ...incident, findingId }).split('/')).toEqual(['incidents', '222222222222', 'eu-west-1', 'ir-0123456789abcdef', segment, '']);
  });

  it('caps a segment at 200 characters', () => {
    expect(keySegment('a'.repeat(256), 'x')).toHaveLength(200);
  });
});

describe('the Lambda environment', () => {
  const base = { IR_PLAYBOOK: 'contain-instance', AWS_REGION: 'eu-west-1' };

  it('names the evidence bucket, its key and the function’s region', () => {
    const env = readLambdaEnvironment({ ...base, IR_EVIDENCE_BUCKET: 'ir-evidence', IR_EVIDENCE_KEY_ARN: 'arn:aws:kms:eu-west-1:111111111111:key/k' });
    expect(env.evidence).toEqual({ bucket: 'ir-evidence', keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/k', region: 'eu-west-1' });
  });

  it('has no evidence bucket when none is set', () => {
    expect(readLambdaEnvironment(base).evidence).toBeUndefined();
    expect(readLambdaEnvironment({ ...base, IR_EVIDENCE_BUCKET: '' }).evidence).toBeUndefined();
  });
});

describe('the key layout of the releases (lambda/evidence/release-layout.ts)', () => {
  const at = new Date('2026-12-06T21:23:46.123Z');

  it('puts an instance or key release in the folder of the incident it ends: incidents/<account>/<region>/<incident id>/releases/<time>-release.json', () => {
    expect(releaseEvidenceKey({ accountId: '222222222222', region: 'eu-west-1', incidentId: 'ir-0123456789abcdef', resourceId: 'i-0123456789abcdef0', at })).toBe(
      'incidents/222222222222/eu-west-1/ir-0123456789abcdef/releases/2026-12-06T212346.123Z-release.json',
    );
  });

  it('a release whose record names no incident goes under no-incident/<resource id>/', () => {
    expect(releaseEvidenceKey({ accountId: '222222222222', region: 'eu-west-1', incidentId: null, resourceId: 'AKIA2EXAMPLEKEY00001', at })).toBe(
      'incidents/222222222222/eu-west-1/no-incident/AKIA2EXAMPLEKEY00001/releases/2026-12-06T212346.123Z-release.json',
    );
  });

  it('a brake release goes under incidents/brake/<region>/<engagement id>/', () => {
    expect(brakeReleaseEvidenceKey({ region: 'eu-west-1', engagementId: '5c1f0e0a-aaaa-bbbb-cccc-0123456789ab', at })).toBe(
      'incidents/brake/eu-west-1/5c1f0e0a-aaaa-bbbb-cccc-0123456789ab/2026-12-06T212346.123Z-release.json',
    );
  });

  it('makes every segment safe, as the incidents’ own keys: nothing read from the ledger can climb out of its folder', () => {
    expect(releaseEvidenceKey({ accountId: '..', region: '../x', incidentId: '../../other', resourceId: 'i-1', at }).split('/')).toEqual([
      'incidents',
      '__',
      '.._x',
      '.._.._other',
      'releases',
      '2026-12-06T212346.123Z-release.json',
    ]);
  });
});
