import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../lambda/config/schema';
import { createIncidentResponseApp } from '../../lib/app';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY, loadConfig } from '../../lib/config/load-config';
import { cdkJsonContext, synthesize } from './support/synth';
import { errorOf } from '../support/errors';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ir-config-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const configOf = (context: Record<string, unknown>) => loadConfig(new App({ context }).node, dir);


describe('loadConfig', () => {
  it('reads the cdk.json defaults: dry-run, no emails', () => {
    expect(configOf(cdkJsonContext())).toMatchObject({ mode: 'dry-run', notificationEmails: [], reservedConcurrency: 5, retryAttempts: 2 });
  });

  it('applies the schema defaults when there is no context at all', () => {
    expect(configOf({})).toMatchObject({ mode: 'dry-run', logRetentionDays: 365, exemptTagKey: 'ir:exempt' });
  });

  it('reads the context as an object (cdk.json) or as JSON text (cdk -c incidentResponse=...)', () => {
    expect(configOf({ [CONFIG_CONTEXT_KEY]: { mode: 'enforce' } }).mode).toBe('enforce');
    const fromText = configOf({ [CONFIG_CONTEXT_KEY]: '{"mode":"enforce","reservedConcurrency":2}' });
    expect(fromText).toMatchObject({ mode: 'enforce', reservedConcurrency: 2 });
  });

  it('prefers the file named by incidentResponseConfigFile, relative to the project directory', () => {
    writeFileSync(join(dir, 'ir.json'), JSON.stringify({ mode: 'enforce', logRetentionDays: 731 }));
    const config = configOf({ [CONFIG_CONTEXT_KEY]: { mode: 'dry-run' }, [CONFIG_FILE_CONTEXT_KEY]: 'ir.json' });
    expect(config).toMatchObject({ mode: 'enforce', logRetentionDays: 731 });
  });

  it('names the file when it cannot be read or is not JSON', () => {
    const missing = errorOf(() => configOf({ [CONFIG_FILE_CONTEXT_KEY]: 'missing.json' }));
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.message).toContain(join(dir, 'missing.json'));
    writeFileSync(join(dir, 'broken.json'), '{ "mode": ');
    const broken = errorOf(() => configOf({ [CONFIG_FILE_CONTEXT_KEY]: 'broken.json' }));
    expect(broken).toBeInstanceOf(ConfigError);
    expect(broken.message).toContain(`invalid configuration in ${join(dir, 'broken.json')}: not JSON`);
  });

  it('names a bad key inside the file', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ mode: 'yolo' }));
    const error = errorOf(() => configOf({ [CONFIG_FILE_CONTEXT_KEY]: 'bad.json' }));
    expect(error.message).toContain(`invalid configuration in ${join(dir, 'bad.json')}`);
    expect(error.message).toContain('"mode"');
  });

  it('rejects context text that is not JSON, naming the context key', () => {
    const error = errorOf(() => configOf({ [CONFIG_CONTEXT_KEY]: '{mode: enforce}' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('context "incidentResponse": not JSON');
  });
});

describe('a command-line configuration (cdk -c incidentResponse=...)', () => {
  const EMAIL = 'secops@example.com';
  let project: string;

  beforeAll(() => {
    // A project whose cdk.json keeps the team's configuration, as the README's deploy steps write it.
    project = mkdtempSync(join(tmpdir(), 'ir-project-'));
    const cdkJson = { app: 'npx tsx bin/app.ts', context: { [CONFIG_CONTEXT_KEY]: { mode: 'dry-run', notificationEmails: [EMAIL], reservedConcurrency: 3 } } };
    writeFileSync(join(project, 'cdk.json'), JSON.stringify(cdkJson));
  });

  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });

  // The CDK CLI hands the app the command line's text in place of cdk.json's object.
  const commandLine = (text: string, extra: Record<string, unknown> = {}) => loadConfig(new App({ context: { [CONFIG_CONTEXT_KEY]: text, ...extra } }).node, project);

  it('switches to enforce without dropping the email subscriptions or any other key of cdk.json', () => {
    expect(commandLine('{"mode":"enforce"}')).toMatchObject({ mode: 'enforce', notificationEmails: [EMAIL], reservedConcurrency: 3 });
  });

  it('replaces a whole top-level key it names, so a key can still be changed or emptied on purpose', () => {
    expect(commandLine('{"notificationEmails":[]}')).toMatchObject({ mode: 'dry-run', notificationEmails: [], reservedConcurrency: 3 });
    expect(commandLine('{"notificationEmails":["oncall@example.com"]}').notificationEmails).toEqual(['oncall@example.com']);
  });

  it('merges over the file named by incidentResponseConfigFile rather than being ignored', () => {
    writeFileSync(join(project, 'ir.json'), JSON.stringify({ notificationEmails: ['file@example.com'], logRetentionDays: 731 }));
    const config = commandLine('{"mode":"enforce"}', { [CONFIG_FILE_CONTEXT_KEY]: 'ir.json' });
    expect(config).toMatchObject({ mode: 'enforce', notificationEmails: ['file@example.com'], logRetentionDays: 731, reservedConcurrency: 5 });
  });

  it('names both sources when the merged configuration is invalid', () => {
    const error = errorOf(() => commandLine('{"retryAttempts":0,"mode":"enforce"}'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`the command line's keys over ${join(project, 'cdk.json')}`);
    expect(error.message).toContain('"retryAttempts"');
  });

  it('keeps the email subscription in the synthesized stack', () => {
    const context = { [CONFIG_CONTEXT_KEY]: '{"mode":"enforce"}', 'aws:cdk:bundling-stacks': [] };
    const { app, stacks } = createIncidentResponseApp({ appProps: { context }, baseDir: project });
    const stack = stacks[0];
    if (!stack) throw new Error('the app built no security stack');
    const template = Template.fromJSON(app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>);
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: EMAIL });
  });
});

describe('synthesis with a bad configuration', () => {
  it.each([
    [{ mode: 'yolo' }, '"mode"'],
    [{ minSeverity: { containInstance: 5 } }, 'unknown key "minSeverity.containInstance"'],
    [{ colour: 'blue' }, 'unknown key "colour"'],
    [{ reservedConcurrency: 0 }, '"reservedConcurrency"'],
    [{ logRetentionDays: 14 }, '"logRetentionDays"'],
    [{ notificationEmails: ['secops'] }, '"notificationEmails.0"'],
    [{ routing: { add: { 'Recon:EC2/PortProbeUnprotectedPort': 'destroy' } } }, '"routing.add.Recon:EC2/PortProbeUnprotectedPort"'],
    [{ approval: { defaults: { isolation: 'approve' } } }, 'unknown key "approval.defaults.isolation"'],
    [{ approval: { rules: [{ id: 'dev', class: 'isolate', mode: 'auto', match: { tags: { env: 'dev' } } }] } }, '"approval.rules.0.mode": a rule that matches on tags cannot be "auto"'],
    [{ approval: { rules: [{ id: 'prod', class: 'isolate', mode: 'approve', match: { severity: { min: 9, max: 2 } } }] } }, '"approval.rules.0.match.severity.min"'],
    [{ approval: { timeoutMinutes: 10, escalateMinutesBefore: 30 } }, '"approval.escalateMinutesBefore"'],
  ])('%j stops it with an error naming the key', (incidentResponse, expected) => {
    const error = errorOf(() => synthesize({ context: { incidentResponse } }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('invalid configuration in context "incidentResponse"');
    expect(error.message).toContain(expected);
  });

  it('refuses an approval policy too large for the playbooks\' environment, naming the key', () => {
    const rules = Array.from({ length: 20 }, (_, i) => ({
      id: `prod-rule-${i}`,
      class: ['isolate', 'revoke-sessions'],
      mode: 'approve',
      match: { accounts: ['111111111111', '222222222222'], severity: { min: 4, max: 8 }, tags: { environment: ['production', 'prod'] } },
    }));
    const error = errorOf(() => configOf({ incidentResponse: { approval: { rules } } }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/runtime configuration is \d+ bytes of JSON, over the 2800 that fit in a Lambda environment/);
    expect(error.message).toContain('shorten the largest keys: "approval"');
  });

  it('synthesizes a valid approval policy into every playbook\'s runtime configuration', () => {
    const approval = { defaults: { isolate: 'approve' }, rules: [{ id: 'prod', class: '*', mode: 'approve', match: { tags: { env: 'prod' } } }] };
    const { template } = synthesize({ context: { incidentResponse: { approval } } });
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { IR_PLAYBOOK: 'contain-instance' } } } });
    const [fn] = Object.values(functions) as { Properties: { Environment: { Variables: { IR_RUNTIME_CONFIG: string } } } }[];
    expect(JSON.parse(fn!.Properties.Environment.Variables.IR_RUNTIME_CONFIG).approval).toEqual({ ...approval, timeoutMinutes: 60, onTimeout: 'stand-down', escalateMinutesBefore: 15 });
  });

  it('stops before any stack is built', () => {
    expect(() => createIncidentResponseApp({ appProps: { context: { incidentResponse: { mode: 'yolo' } } } })).toThrow(ConfigError);
  });
});
