import type { AccessKeyDetails, Finding } from '../../../lambda/finding/schema';
import { parseFindings } from '../../../lambda/finding/parse';
import { loadFixture } from '../fixtures';

/* Credential findings for the revoke-credentials tests: a real fixture, with the principal swapped. */

export interface FindingChanges {
  readonly accessKeyDetails?: Partial<AccessKeyDetails>;
  readonly type?: string;
}

interface EventShape {
  detail: { type: string; resource: { accessKeyDetails: Record<string, unknown> } };
}

/** A fixture of test/fixtures/findings/revoke-credentials/, parsed, with optional changes. */
export function revokeFinding(fixture: string, changes: FindingChanges = {}): Finding {
  const event = loadFixture(`revoke-credentials/${fixture}`) as EventShape;
  if (changes.type) event.detail.type = changes.type;
  Object.assign(event.detail.resource.accessKeyDetails, changes.accessKeyDetails ?? {});
  return parseFindings(event)[0]!;
}

export const USER_KEY_FINDING = 'malicious-ip-caller-user-key.event.json';
export const USER_TEMP_KEY_FINDING = 'anomalous-credential-access-temp-key.event.json';
export const ROLE_FINDING = 'exfiltration-role.event.json';
export const INSTANCE_CREDENTIALS_FINDING = 'instance-credential-exfiltration-outside.event.json';
export const ROOT_FINDING = 'impact-root.event.json';
export const FEDERATED_FINDING = 'privilege-escalation-federated.event.json';
