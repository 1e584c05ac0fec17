import { ConfigError, DEFAULT_RUNTIME_CONFIG, parseConfig, runtimeConfigOf } from '../../../lambda/config/schema';
import { configError } from '../../support/errors';


describe('configuration', () => {
  it('defaults to dry-run, floors 7 and 4, the ir:exempt tag and no overrides', () => {
    const config = parseConfig(undefined, 'defaults');
    expect(config).toMatchObject({
      mode: 'dry-run',
      minSeverity: { 'contain-instance': 7, 'revoke-credentials': 4, 'answer-sequence': 7 },
      exemptTagKey: 'ir:exempt',
      routing: { add: {}, remove: [] },
      notificationEmails: [],
      revokeInstanceCredentials: 'on-credential-theft',
    });
    expect(runtimeConfigOf(config)).toEqual(DEFAULT_RUNTIME_CONFIG);
  });

  it('keeps a partial minSeverity partial only where given', () => {
    expect(parseConfig({ minSeverity: { 'contain-instance': 8 } }, 'x').minSeverity).toEqual({ 'contain-instance': 8, 'revoke-credentials': 4, 'contain-function': 7, 'block-public-access': 0, 'quarantine-object': 0, 'contain-task': 7, 'contain-eks': 5, 'contain-database': 4, 'quarantine-image': 4, 'answer-sequence': 7 });
  });

  it.each([
    [{ mode: 'yolo' }, '"mode"'],
    [{ colour: 'blue' }, 'unknown key "colour"'],
    [{ minSeverity: { containInstance: 5 } }, 'unknown key "minSeverity.containInstance"'],
    [{ minSeverity: { 'contain-instance': 12 } }, '"minSeverity.contain-instance"'],
    [{ notificationEmails: ['not-an-email'] }, '"notificationEmails.0"'],
    [{ routing: { add: { 'Backdoor:EC2/*': 'contain-instance' } } }, 'routing.add'],
    [{ routing: { add: { 'Recon:EC2/Portscan': 'destroy' } } }, '"routing.add.Recon:EC2/Portscan"'],
    [{ routing: { remove: ['nonsense'] } }, '"routing.remove.0"'],
    [{ exemptTagKey: '' }, '"exemptTagKey"'],
  ])('rejects %j naming the bad key', (input, expected) => {
    const message = configError(input);
    expect(message).toContain('invalid configuration in cdk.json');
    expect(message).toContain(expected);
  });
});

describe('blastRadius', () => {
  it('defaults to 10 containments per hour and reaches the Lambdas', () => {
    expect(DEFAULT_RUNTIME_CONFIG.blastRadius).toEqual({ maxContainmentsPerHour: 10 });
    expect(runtimeConfigOf(parseConfig({ blastRadius: { maxContainmentsPerHour: 3 } }, 'test')).blastRadius).toEqual({ maxContainmentsPerHour: 3 });
  });

  it.each([0, 101, 2.5, '10'])('refuses maxContainmentsPerHour %j, naming the key', (value) => {
    expect(() => parseConfig({ blastRadius: { maxContainmentsPerHour: value } }, 'test')).toThrow(ConfigError);
    expect(() => parseConfig({ blastRadius: { maxContainmentsPerHour: value } }, 'test')).toThrow('"blastRadius.maxContainmentsPerHour"');
  });

  it('refuses an unknown key under blastRadius', () => {
    expect(() => parseConfig({ blastRadius: { perDay: 5 } }, 'test')).toThrow('unknown key "blastRadius.perDay"');
  });
});

describe('retryAttempts', () => {
  it('may be 0 in dry-run mode, where nothing is left to finish', () => {
    expect(parseConfig({ mode: 'dry-run', retryAttempts: 0 }, 'test').retryAttempts).toBe(0);
  });

  it('must be at least 1 in enforce mode: an ENI left more open than before is closed by the retry', () => {
    expect(configError({ mode: 'enforce', retryAttempts: 0 })).toBe(
      'invalid configuration in cdk.json: "retryAttempts": must be at least 1 in enforce mode: a response that could not finish (an ENI left more open than before) is completed by the retry',
    );
    expect(parseConfig({ mode: 'enforce', retryAttempts: 1 }, 'test').retryAttempts).toBe(1);
  });
});

describe('incidents', () => {
  it('joins findings about one resource for 24 hours by default, and the window reaches the Lambdas', () => {
    expect(DEFAULT_RUNTIME_CONFIG.incidents).toEqual({ joinWindowHours: 24 });
    expect(runtimeConfigOf(parseConfig({ incidents: { joinWindowHours: 0 } }, 'test')).incidents).toEqual({ joinWindowHours: 0 });
    expect(runtimeConfigOf(parseConfig({ incidents: { joinWindowHours: 168 } }, 'test')).incidents).toEqual({ joinWindowHours: 168 });
  });

  it.each([-1, 169, 1.5, '24'])('refuses joinWindowHours %j, naming the key', (value) => {
    expect(() => parseConfig({ incidents: { joinWindowHours: value } }, 'test')).toThrow('"incidents.joinWindowHours"');
  });

  it('refuses an unknown key under incidents', () => {
    expect(() => parseConfig({ incidents: { windowDays: 1 } }, 'test')).toThrow('unknown key "incidents.windowDays"');
  });
});
