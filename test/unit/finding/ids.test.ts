import fc from 'fast-check';
import { FindingInputError } from '../../../lambda/finding/errors';
import { FINDING_ID, INSTANCE_ID } from '../../../lambda/finding/ids';
import { parseFindings } from '../../../lambda/finding/parse';
import { preparePlan } from '../../../lambda/respond/respond';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { HEARTBEAT_INSTANCE_ID } from '../../../lambda/heartbeat/synthetic-findings';
import { loadFixture, loadFixtures } from '../../support/fixtures';

/*
 * Ids become AWS filter values (DescribeSnapshots tag:ir:finding-id, the
 * instance-id filter of DescribeIamInstanceProfileAssociations) and parts of
 * evidence keys: a finding whose id could widen them is refused when parsed,
 * with a typed error, before anything is planned.
 */

interface EventShape {
  detail: { id: string; resource: { instanceDetails: { instanceId: string } } };
}

const crypto = loadFixture('contain-instance/crypto-bitcoin-tool.event.json') as EventShape;

function withIds(id: string, instanceId = crypto.detail.resource.instanceDetails.instanceId): unknown {
  const copy = structuredClone(crypto);
  copy.detail.id = id;
  copy.detail.resource.instanceDetails.instanceId = instanceId;
  return copy;
}

function rejection(input: unknown): FindingInputError {
  try {
    parseFindings(input);
  } catch (error) {
    if (error instanceof FindingInputError) return error;
    throw error;
  }
  throw new Error('parsed');
}

describe('finding ids', () => {
  it.each([
    ['*', 'a wildcard matching every finding id'],
    ['?', 'a one-character wildcard'],
    ['abc*', 'a prefix wildcard'],
    ['../other-incident', 'a path climbing out of the incident'],
    ['a/b', 'a key separator'],
    ['..', 'dots only'],
    ['a,b', 'a list'],
    ['a b', 'a space'],
    ['a\nb', 'a line break'],
    ['', 'nothing'],
    ['-abc', 'a leading dash (an option to a command line)'],
    ['a'.repeat(129), 'more than 128 characters'],
  ])('rejects %j (%s) with a typed error naming the field, and plans nothing', (id) => {
    const error = rejection(withIds(id));
    expect(error.problem).toBe('invalid-id');
    expect(error.message).toMatch(/^invalid id: detail\.id: must be a GuardDuty finding id: 1 to 128 letters, digits, "-" and "_"/);
    expect(error.message).toContain(`(got ${JSON.stringify(id).replace(/\n/g, '\\n').slice(0, 20)}`);
    expect(error.message).not.toMatch(/[\n\r]/);
  });

  it('accepts the shapes real findings, exports, samples and the heartbeat use', () => {
    for (const id of ['d2cad31c32712132f9c2115489c516c6', '09d3e1ae-310b-7085-d8a6-b71276be06d6', 'ir-heartbeat-contain-instance', 'bench-isolation-12']) {
      expect(parseFindings(withIds(id))[0]!.id).toBe(id);
    }
  });

  it('every fixture of the repository still parses (the shared real findings are in parse.test.ts)', () => {
    for (const fixture of loadFixtures()) expect(() => parseFindings(fixture.json)).not.toThrow();
  });

  it('no accepted id holds a character an EC2 filter, an S3 key or a list reads as more than one id', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 140 }), (id) => {
        if (!FINDING_ID.test(id)) return;
        expect(id).not.toMatch(/[*?/,\s.]/);
      }),
    );
  });
});

describe('instance ids', () => {
  it.each(['*', 'i-*', 'i-0a1b2c3d4e5f6071?', 'i-1', 'i-0A1B2C3D', 'i-0a1b2c3d4e5f60718,i-99999999', ' i-0a1b2c3d4e5f60718'])('rejects %j', (instanceId) => {
    const error = rejection(withIds('d2cad31c32712132f9c2115489c516c6', instanceId));
    expect(error.problem).toBe('invalid-id');
    expect(error.message).toMatch(/^invalid id: detail\.resource\.instanceDetails\.instanceId: must be an EC2 instance id/);
  });

  it('accepts 8 and 17 hex digits (the heartbeat and sample findings use i-99999999)', () => {
    expect(INSTANCE_ID.test(HEARTBEAT_INSTANCE_ID)).toBe(true);
    expect(INSTANCE_ID.test('i-0a1b2c3d4e5f60718')).toBe(true);
  });
});

describe('a crafted id cannot reach a filter', () => {
  it('a wildcard finding id is rejected before planning, so no DescribeSnapshots filter ever holds it', async () => {
    expect(() => parseFindings(withIds('*'))).toThrow(FindingInputError);
    // The accepted id is the filter value as is.
    const [finding] = parseFindings(withIds('d2cad31c32712132f9c2115489c516c6'));
    const { document } = await preparePlan(finding!, { config: DEFAULT_RUNTIME_CONFIG, dryRun: true, responder: { protectedRoleNames: [] } });
    expect(document.findingId).toBe('d2cad31c32712132f9c2115489c516c6');
  });
});
