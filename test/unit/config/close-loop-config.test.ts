import { App } from 'aws-cdk-lib';
import { EMULATOR_CONFIG_OVERRIDES } from '../../../emulator/runtime-config';
import { CONFIG_CONTEXT_KEY, loadConfig } from '../../../lib/config/load-config';
import { ConfigError, DEFAULT_RUNTIME_CONFIG, parseConfig, parseRuntimeConfig, runtimeConfigOf } from '../../../lambda/config/schema';

/* The close-the-loop configuration (lambda/close-loop/, docs/security-hub.md), validated at synth by parseConfig. */

describe('securityHub and guardDuty', () => {
  it('note in Security Hub by default (NOTIFIED, and a note for responses that change nothing); no archive by default', () => {
    const config = parseConfig(undefined, 'defaults');
    expect(config.securityHub).toEqual({ updateFindings: true, workflowStatusWhenActed: 'NOTIFIED', whenNothingChanged: 'note' });
    expect(config.guardDuty).toEqual({ archiveAfterContainment: false });
    expect(config.localEmulator).toBe(false);
    expect(DEFAULT_RUNTIME_CONFIG.securityHub).toEqual(config.securityHub);
  });

  it('reach the Lambdas', () => {
    const config = parseConfig(
      {
        securityHub: { updateFindings: true, workflowStatusWhenActed: 'RESOLVED', whenNothingChanged: 'nothing' },
        guardDuty: { archiveAfterContainment: true, detectorId: '12abc34d567e8fa901bc2d34e56789f0' },
      },
      'test',
    );
    const runtime = runtimeConfigOf(config);
    expect(runtime.securityHub).toEqual({ updateFindings: true, workflowStatusWhenActed: 'RESOLVED', whenNothingChanged: 'nothing' });
    expect(runtime.guardDuty).toEqual({ archiveAfterContainment: true, detectorId: '12abc34d567e8fa901bc2d34e56789f0' });
    expect(runtime.localEmulator).toBe(false);
  });

  it.each(['NEW', 'SUPPRESSED'])('refuse %s as the workflow status of a response that acted: it would say nobody looked, or hide the finding', (status) => {
    expect(() => parseConfig({ securityHub: { workflowStatusWhenActed: status } }, 'test')).toThrow(
      '"securityHub.workflowStatusWhenActed": must be NOTIFIED or RESOLVED: NEW says nobody looked at the finding, and SUPPRESSED hides it from the analysts',
    );
  });

  it('refuse a status Security Hub does not have, an unknown key and a malformed detector id', () => {
    expect(() => parseConfig({ securityHub: { workflowStatusWhenActed: 'DONE' } }, 'test')).toThrow('"securityHub.workflowStatusWhenActed"');
    expect(() => parseConfig({ securityHub: { notes: true } }, 'test')).toThrow('unknown key "securityHub.notes"');
    expect(() => parseConfig({ guardDuty: { detectorId: 'det/../x' } }, 'test')).toThrow('"guardDuty.detectorId": must be a GuardDuty detector id');
  });
});

describe('localEmulator', () => {
  it('is refused at synth: a deployed stack answers every call for real', () => {
    const app = new App({ context: { [CONFIG_CONTEXT_KEY]: { localEmulator: true } } });
    expect(() => loadConfig(app.node)).toThrow(ConfigError);
    expect(() => loadConfig(app.node)).toThrow('"localEmulator" is only for runs against the local emulator');
    expect(loadConfig(new App({ context: { [CONFIG_CONTEXT_KEY]: {} } }).node).localEmulator).toBe(false);
  });

  it('is what every emulator run sets, besides switching the confirmation off, and `ir` (pointed at the emulator) accepts it', () => {
    expect(EMULATOR_CONFIG_OVERRIDES).toEqual({ confirmFindings: false, localEmulator: true });
    expect(parseRuntimeConfig({ ...EMULATOR_CONFIG_OVERRIDES }, 'emulator').localEmulator).toBe(true);
    expect(parseConfig({ ...EMULATOR_CONFIG_OVERRIDES }, 'ir --config').localEmulator).toBe(true);
  });
});
