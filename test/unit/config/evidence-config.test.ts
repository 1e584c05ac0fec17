import { ConfigError, parseConfig } from '../../../lambda/config/schema';

describe('evidence configuration', () => {
  it('defaults to a year of retention and Glacier after 30 days', () => {
    expect(parseConfig({}, 'test').evidence).toEqual({ retentionDays: 365, glacierAfterDays: 30 });
  });

  it('takes both from the configuration, each defaulting on its own', () => {
    expect(parseConfig({ evidence: { retentionDays: 2555 } }, 'test').evidence).toEqual({ retentionDays: 2555, glacierAfterDays: 30 });
    expect(parseConfig({ evidence: { retentionDays: 36_500, glacierAfterDays: 1 } }, 'test').evidence).toEqual({ retentionDays: 36_500, glacierAfterDays: 1 });
  });

  it.each([
    [{ retentionDays: 0 }, '"evidence.retentionDays"'],
    [{ retentionDays: 36_501 }, '"evidence.retentionDays"'],
    [{ retentionDays: 1.5 }, '"evidence.retentionDays"'],
    [{ retentionDays: '365' }, '"evidence.retentionDays"'],
    [{ glacierAfterDays: 0 }, '"evidence.glacierAfterDays"'],
    [{ retentionDays: 365, mode: 'compliance' }, 'unknown key "evidence.mode"'],
  ])('refuses %j, naming %s', (evidence, named) => {
    expect(() => parseConfig({ evidence }, 'cdk.json')).toThrow(ConfigError);
    expect(() => parseConfig({ evidence }, 'cdk.json')).toThrow(named);
  });
});
