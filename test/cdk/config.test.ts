import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
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

describe('synthesis with a bad configuration', () => {
  it.each([
    [{ mode: 'yolo' }, '"mode"'],
    [{ minSeverity: { containInstance: 5 } }, 'unknown key "minSeverity.containInstance"'],
    [{ colour: 'blue' }, 'unknown key "colour"'],
    [{ reservedConcurrency: 0 }, '"reservedConcurrency"'],
    [{ logRetentionDays: 14 }, '"logRetentionDays"'],
    [{ notificationEmails: ['secops'] }, '"notificationEmails.0"'],
    [{ routing: { add: { 'Recon:EC2/PortProbeUnprotectedPort': 'destroy' } } }, '"routing.add.Recon:EC2/PortProbeUnprotectedPort"'],
  ])('%j stops it with an error naming the key', (incidentResponse, expected) => {
    const error = errorOf(() => synthesize({ context: { incidentResponse } }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('invalid configuration in context "incidentResponse"');
    expect(error.message).toContain(expected);
  });

  it('stops before any stack is built', () => {
    expect(() => createIncidentResponseApp({ appProps: { context: { incidentResponse: { mode: 'yolo' } } } })).toThrow(ConfigError);
  });
});
