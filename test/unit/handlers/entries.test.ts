import type { ServiceName } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { archiveGuardDutyFinding } from '../../../lambda/close-loop/archiver';
import { OWED_NOTE_WRITER_STEP_SPECS } from '../../../lambda/close-loop/specs';
import { OWED_NOTE_CLIENT_CLASSES } from '../../../lambda/handlers/security-hub-note';
import { startConfirmation } from '../../../lambda/confirm/confirmation';
import { APPROVAL_STEP_SPECS } from '../../../lambda/approval/specs';
import { sdkScheduleWriter } from '../../../lambda/approval/scheduler-writer';
import { PLAYBOOKS, requiredIamActions } from '../../../lambda/playbooks/registry';
import { actsInFindingAccount, PLAYBOOK_NAMES } from '../../../lambda/routing/playbook-names';
import { IAM_PREFIX_OF } from '../../support/iam-prefixes';
import { FIRST_USE_SERVICES, PLAYBOOK_ENTRIES } from '../../support/playbook-entries';

/** KMS is called by S3 and SNS on the responder's behalf, never by a client of its own. */
const IAM_PREFIX = IAM_PREFIX_OF;
const CALLED_THROUGH_OTHER_SERVICES = new Set(['kms']);

/** An acting playbook's role also carries the wait's declarations (lambda/approval/specs.ts) when the stack configures approvals. */
function servicesCalledBy(playbook: (typeof PLAYBOOK_NAMES)[number]): ServiceName[] {
  const waits = actsInFindingAccount(playbook) ? APPROVAL_STEP_SPECS.flatMap((spec) => spec.iamActions) : [];
  const prefixes = new Set([...requiredIamActions(playbook), ...waits].map((action) => action.split(':')[0]!));
  const unknown = [...prefixes].filter((p) => !CALLED_THROUGH_OTHER_SERVICES.has(p) && !(Object.values(IAM_PREFIX) as string[]).includes(p));
  if (unknown.length > 0) throw new Error(`IAM actions of services without a client: ${unknown.join(', ')}`);
  return (Object.keys(IAM_PREFIX) as ServiceName[]).filter((service) => prefixes.has(IAM_PREFIX[service])).sort();
}

describe.each(PLAYBOOK_NAMES)('the %s entry point', (name) => {
  const entry = PLAYBOOK_ENTRIES[name];

  it('carries its own playbook', () => {
    expect(entry.playbook).toBe(PLAYBOOKS[name]);
  });

  it('bundles exactly the clients of the services its role allows, derived from its step declarations', () => {
    expect(Object.keys(entry.clientClasses).sort()).toEqual(servicesCalledBy(name));
  });

  it('names each service with that service’s client class; those needed only after containment (S3, Security Hub, Scheduler, Lambda; revoke-credentials’ CloudTrail; IAM where it only reads the alias) are imported on first use', async () => {
    for (const [service, entry] of Object.entries(PLAYBOOK_ENTRIES[name].clientClasses)) {
      const deferred = 'deferred' in entry;
      expect([service, deferred]).toEqual([service, FIRST_USE_SERVICES[name].includes(service as ServiceName)]);
      expect(deferred ? await entry.deferred() : entry).toBe(EVERY_CLIENT[service as ServiceName]);
    }
  });
});

describe('GuardDuty’s confirmation (lambda/confirm/)', () => {
  it.each(PLAYBOOK_NAMES)('is carried by the %s entry point exactly when the playbook acts', (name) => {
    expect(PLAYBOOK_ENTRIES[name].confirmFinding).toBe(actsInFindingAccount(name) ? startConfirmation : undefined);
  });
});

describe('GuardDuty’s archive after a completed containment (lambda/close-loop/)', () => {
  it.each(PLAYBOOK_NAMES)('is carried by the %s entry point exactly when the playbook acts', (name) => {
    expect(PLAYBOOK_ENTRIES[name].archiveFinding).toBe(actsInFindingAccount(name) ? archiveGuardDutyFinding : undefined);
  });
});

describe('the schedules of a response waiting for a decision (lambda/approval/scheduler-writer.ts)', () => {
  it.each(PLAYBOOK_NAMES)('are written by the %s entry point exactly when the playbook acts (notify never waits)', (name) => {
    expect(PLAYBOOK_ENTRIES[name].scheduleWriter).toBe(actsInFindingAccount(name) ? sdkScheduleWriter : undefined);
  });
});

describe('actsInFindingAccount', () => {
  it.each(PLAYBOOK_NAMES)('is true for %s exactly when it declares steps in the finding account', (name) => {
    expect(actsInFindingAccount(name)).toBe(PLAYBOOKS[name].stepSpecs.length > 0);
  });
});

describe('the owed Security Hub note writer’s entry point (lambda/handlers/security-hub-note.ts)', () => {
  it('bundles exactly the clients of the services its step declarations call, each that service’s client class', () => {
    const prefixes = new Set(OWED_NOTE_WRITER_STEP_SPECS.flatMap((spec) => spec.iamActions.map((action) => action.split(':')[0]!)));
    const services = (Object.keys(IAM_PREFIX) as ServiceName[]).filter((service) => prefixes.has(IAM_PREFIX[service])).sort();
    expect(services).toEqual(['dynamodb', 'securityHub']);
    expect(Object.keys(OWED_NOTE_CLIENT_CLASSES).sort()).toEqual(services);
    for (const [service, entry] of Object.entries(OWED_NOTE_CLIENT_CLASSES)) expect(entry).toBe(EVERY_CLIENT[service as ServiceName]);
  });
});
