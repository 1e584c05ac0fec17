import { FindingInputError } from '../../../lambda/finding/errors';
import { camelizeKeys, parseFindings, parseFindingsText } from '../../../lambda/finding/parse';
import { loadFixture, loadFixtures } from '../../support/fixtures';

function inputError(run: () => unknown): FindingInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof FindingInputError) return error;
    throw error;
  }
  throw new Error('expected a FindingInputError');
}

describe('parseFindings', () => {
  it('reads an EventBridge event and keeps the member account of the finding, not the bus account', () => {
    const [finding] = parseFindings(loadFixture('contain-instance/crypto-bitcoin-tool.event.json'));
    expect(finding).toMatchObject({ type: 'CryptoCurrency:EC2/BitcoinTool.B', accountId: '222222222222', region: 'us-east-1', severity: 8 });
    expect(finding!.resource?.instanceDetails?.networkInterfaces).toHaveLength(2);
  });

  it('reads get-findings output (PascalCase) into the same camelCase finding', () => {
    const findings = parseFindings(loadFixture('contain-instance/trojan-dns-exfiltration.get-findings.json'));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ type: 'Trojan:EC2/DNSDataExfiltration', resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0a1b2c3d4e5f60718' } } });
  });

  it('reads a raw PascalCase finding (one element of get-findings) with an epoch-millisecond launch time', () => {
    const [finding] = parseFindings(loadFixture('contain-instance/impact-bitcoin-domain.raw.json'));
    expect(finding).toMatchObject({
      id: '4e8f1a2b3c4d5e6f708192a3b4c5d6e7',
      accountId: '333333333333',
      region: 'eu-west-1',
      resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0c4d5e6f7a8b9c0d1', tags: [{ key: 'Name', value: 'batch-worker-7' }] } },
      service: { resourceRole: 'TARGET', count: 5, archived: false },
    });
  });

  it('reads findings about other resources (Lambda, S3) and an instance known only by its id', () => {
    expect(parseFindings(loadFixture('contain-function/trojan-lambda-blackhole.raw.json'))[0]).toMatchObject({ type: 'Trojan:Lambda/BlackholeTraffic', resource: { resourceType: 'Lambda' } });
    expect(parseFindings(loadFixture('revoke-credentials/pentest-s3-parrot.raw.json'))[0]).toMatchObject({ type: 'PenTest:S3/ParrotLinux', resource: { resourceType: 'S3Bucket' } });
    expect(parseFindings(loadFixture('notify/port-probe-emr.raw.json'))[0]!.resource?.instanceDetails).toEqual({ instanceId: 'i-0e5d4c3b2a1908f7e' });
  });

  it('returns one finding per element of get-findings output', () => {
    const one = (id: string) => ({ Id: id, Type: 'Recon:EC2/Portscan', Severity: 5, AccountId: '123456789012', Region: 'us-east-1' });
    expect(parseFindings({ Findings: [one('a'), one('b')] }).map((f) => f.id)).toEqual(['a', 'b']);
  });

  it("takes the region from the event envelope, never the account (the event's account is the security account's bus)", () => {
    const [finding] = parseFindings({ account: '123456789012', region: 'eu-west-1', detail: { id: 'x', type: 'Recon:EC2/Portscan', severity: 2 } });
    expect(finding!.region).toBe('eu-west-1');
    expect(finding!.accountId).toBeUndefined();
  });

  it('converts scalars that exports send in other JSON types, and only those', () => {
    const [finding] = parseFindings({
      id: 'x',
      type: 'Backdoor:EC2/C&CActivity.B',
      severity: 8,
      createdAt: 1732000000000,
      updatedAt: '2026-11-20T08:12:44.000Z',
      resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0123456789abcdef0', tags: [{ key: 'port', value: 8080 }, { key: 'on', value: true }] } },
      service: { archived: 'false', count: '3', additionalInfo: { sample: 0 } },
    });
    expect(finding).toMatchObject({
      createdAt: '2024-11-19T07:06:40.000Z',
      updatedAt: '2026-11-20T08:12:44.000Z',
      resource: { instanceDetails: { tags: [{ key: 'port', value: '8080' }, { key: 'on', value: 'true' }] } },
      service: { archived: false, count: 3, additionalInfo: { sample: false } },
    });
  });

  it.each([
    [{ archived: 'maybe' }, 'not a GuardDuty finding: service.archived: Invalid input: expected boolean, received string'],
    [{ count: 'many' }, 'not a GuardDuty finding: service.count: Invalid input: expected number, received string'],
    [{ count: -1 }, 'not a GuardDuty finding: service.count: Too small: expected number to be >=0'],
  ])('still names a field that does not convert: %p', (service, message) => {
    expect(() => parseFindings({ id: 'x', type: 'Recon:EC2/Portscan', severity: 2, service })).toThrow(message);
  });

  it('accepts a numeric string severity and decimals', () => {
    expect(parseFindings({ id: 'a', type: 'T:R/x', severity: '7.5' })[0]!.severity).toBe(7.5);
    expect(parseFindings({ id: 'a', type: 'T:R/x', severity: 8.9 })[0]!.severity).toBe(8.9);
  });

  it('reads numeric timestamps as epoch seconds (the AWS CLI and SDK JSON) or epoch milliseconds (some exports)', () => {
    const base = { id: 'a', type: 'Impact:S3/AnomalousBehavior.Delete', severity: 8 };
    const bucket = (createdAt: number) => ({ resource: { resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'b', createdAt }] } });
    expect(parseFindings({ ...base, ...bucket(1513612691.551) })[0]!.resource?.s3BucketDetails?.[0]?.createdAt).toBe('2017-12-18T15:58:11.551Z');
    expect(parseFindings({ ...base, ...bucket(1513612691551) })[0]!.resource?.s3BucketDetails?.[0]?.createdAt).toBe('2017-12-18T15:58:11.551Z');
    expect(parseFindings({ ...base, createdAt: 1690000000 })[0]!.createdAt).toBe('2023-07-22T04:26:40.000Z');
  });

  it('tolerates real-world quirks in fields it does not use (epoch launchTime, numeric asn, extra keys)', () => {
    const input = {
      id: 'a',
      type: 'Backdoor:EC2/Spambot',
      severity: 5,
      somethingNew: { nested: true },
      resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0123456789abcdef0', launchTime: 1700000000000, outpostArn: null } },
      service: { action: { networkConnectionAction: { remoteIpDetails: { organization: { asn: 64500 } } } } },
    };
    expect(parseFindings(input)[0]!.resource?.instanceDetails?.instanceId).toBe('i-0123456789abcdef0');
  });

  it.each([
    [{ type: 'Recon:EC2/Portscan', severity: 5 }, 'not a GuardDuty finding: id is missing'],
    [{ id: 'a', severity: 5 }, 'not a GuardDuty finding: type is missing'],
    [{ id: 'a', type: 'Recon:EC2/Portscan' }, 'not a GuardDuty finding: severity'],
    [{ id: 'a', type: 'Recon:EC2/Portscan', severity: 11 }, 'severity'],
    [{ id: 'a', type: 'Recon:EC2/Portscan', severity: 5, accountId: '12' }, 'accountId: must be a 12-digit AWS account id'],
    [{ id: 42, type: 'Recon:EC2/Portscan', severity: 5 }, 'id'],
    [{ detail: { id: 'a', severity: 5 } }, 'detail.type is missing'],
    [{ Findings: [] }, 'Findings must be a non-empty array'],
    [[1, 2], 'expected a JSON object, got an array'],
    ['text', 'expected a JSON object, got a string'],
    [null, 'expected a JSON object, got null'],
  ])('rejects %j with a message naming the problem', (input, message) => {
    const error = inputError(() => parseFindings(input));
    expect(error.problem).toBe('not-a-finding');
    expect(error.message).toContain(message);
  });

  it('rejects events from another source', () => {
    const error = inputError(() => parseFindings({ source: 'aws.securityhub', detail: { id: 'a', type: 'T:R/x', severity: 1 } }));
    expect(error.problem).toBe('wrong-source');
    expect(error.message).toBe('not a GuardDuty event: source is "aws.securityhub", expected "aws.guardduty"');
  });

  it('rejects more findings than one input may carry', () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ Id: `f${i}`, Type: 'T:R/x', Severity: 1 }));
    expect(inputError(() => parseFindings({ Findings: many })).message).toContain('too many findings in one input: 51');
  });

  it('reports bad JSON as an input error', () => {
    const error = inputError(() => parseFindingsText('{"id": '));
    expect(error.problem).toBe('invalid-json');
    expect(error.message).toMatch(/^invalid JSON: /);
  });

  it('has every fixture folder in all three shapes GuardDuty findings come in: EventBridge event, raw finding, get-findings output', () => {
    const shapes = (playbook: string) => new Set(loadFixtures().filter((f) => f.expectedPlaybook === playbook).map((f) => /\.(event|raw|get-findings)\.json$/.exec(f.name)?.[1]));
    for (const playbook of new Set(loadFixtures().map((f) => f.expectedPlaybook))) expect({ playbook, shapes: [...shapes(playbook)].sort() }).toEqual({ playbook, shapes: ['event', 'get-findings', 'raw'] });
    // Each sequence fixture, too: a sequence is parsed from each shape (the nested detection.sequence is where they differ most).
    const sequences = loadFixtures().filter((f) => f.expectedPlaybook === 'answer-sequence').map((f) => f.name.replace(/\.(event|raw|get-findings)\.json$/, ''));
    for (const name of new Set(sequences)) expect({ name, shapes: sequences.filter((s) => s === name).length }).toEqual({ name, shapes: 3 });
  });

  it('parses every fixture', () => {
    for (const fixture of loadFixtures()) expect(parseFindings(fixture.json).length).toBeGreaterThan(0);
  });
});

describe('camelizeKeys', () => {
  it('lowers the first letter of every key, deeply, and leaves values alone', () => {
    expect(camelizeKeys({ InstanceDetails: { Tags: [{ Key: 'Name', Value: 'Web' }] }, IpAddressV4: '1.2.3.4' })).toEqual({
      instanceDetails: { tags: [{ key: 'Name', value: 'Web' }] },
      ipAddressV4: '1.2.3.4',
    });
  });
});
