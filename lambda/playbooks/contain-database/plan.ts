import type { GuardVerdict } from '../../guards/types';
import { DATABASE_UNREADABLE } from '../../guards/unreadable';
import type { PlannedStep, StepSpec } from '../../plan/types';
import { known } from '../contain-instance/facts';
import { planVpcIsolationGroup } from '../contain-instance/steps/security-groups';
import type { PlanningInput, PlaybookPlan } from '../types';
import type { ContainDatabaseFacts, DatabaseFacts } from './facts';
import { CLOSE_DATABASE_ISOLATION_GROUP, CREATE_DATABASE_ISOLATION_GROUP } from './specs';
import { databaseRecordStep, RECORD_DATABASE_ID } from './steps/restore-record';
import { planRestrictNetwork } from './steps/restrict';
import { planDatabaseSnapshot } from './steps/snapshot';
import { pendingRefusal } from './pending-modifications';
import { manualDatabaseSteps, manualPendingModificationsStep, OFFLINE_WARNING } from './warnings';

/*
 * Keep the evidence first and at once (a snapshot never waits for anyone),
 * then, under its own change class (approve by default), put the database
 * on its VPC's isolation group: contain-instance's group, found and verified
 * or created the same way. The groups it had are recorded in the ledger
 * before they change. What only a person can do (the password, the open
 * sessions) is said in the notification.
 */

const STAGE = { record: 0, snapshot: 0, createGroup: 1, configureGroup: 2, restrict: 3 } as const;

/** States in which there is nothing to snapshot or restrict. */
const GONE_STATES = new Set(['deleting', 'deleted']);

const OFFLINE_VPC = '<VPC of the database, read first>';
const OFFLINE_GROUPS = ['<security groups of the database, read first>'];

function block(id: string, reason: string): GuardVerdict {
  return { id, blocks: true, reason };
}

function verdictOf(facts: ContainDatabaseFacts): GuardVerdict | null {
  const { lookup, database } = facts;
  switch (lookup.status) {
    case 'no-target':
      return block('no-database', `${lookup.why}: there is nothing to contain`);
    case 'not-found':
      return block('database-not-found', `the database the finding names does not exist in the finding's account (${lookup.detail}): there is nothing to contain`);
    case 'unreadable':
      return block(DATABASE_UNREADABLE, `the database could not be read (${lookup.error.code}: ${lookup.error.message}): nothing is changed without knowing it`);
    default:
      break;
  }
  if (database?.status && GONE_STATES.has(database.status)) return block('database-deleted', `DB ${database.kind} ${database.identifier} is ${database.status}: there is nothing left to contain`);
  return null;
}

/** contain-instance's group steps, declared under the database's own step kinds and change class. */
function asDatabaseStep(step: PlannedStep): PlannedStep {
  const spec: StepSpec = step.action === 'ec2:RevokeSecurityGroupEgress' ? CLOSE_DATABASE_ISOLATION_GROUP : CREATE_DATABASE_ISOLATION_GROUP;
  return { ...step, kind: spec.kind, ...(spec.changeClass ? { changeClass: spec.changeClass } : {}) };
}

function summary(facts: ContainDatabaseFacts): Record<string, unknown> {
  const db = facts.database;
  return {
    target: facts.target,
    ...(db
      ? {
          database: {
            kind: db.kind,
            identifier: db.identifier,
            arn: db.arn,
            status: db.status,
            engine: db.engine,
            viaInstance: db.viaInstance,
            vpcId: db.vpcId.known ? db.vpcId.value : null,
            securityGroupIds: db.securityGroupIds.known ? [...db.securityGroupIds.value] : null,
          },
        }
      : {}),
    logins: { users: [...facts.logins.users], remoteAddress: facts.logins.remoteAddress },
  };
}

interface NetworkPart {
  readonly steps: PlannedStep[];
  readonly warnings: string[];
}

function planNetwork(facts: ContainDatabaseFacts, db: DatabaseFacts, input: PlanningInput<ContainDatabaseFacts>): NetworkPart {
  const offline = facts.source === 'finding';
  const vpcId = db.vpcId.known ? db.vpcId.value : offline ? OFFLINE_VPC : null;
  if (!vpcId) return { steps: [], warnings: [`The VPC of DB ${db.kind} ${db.identifier} is unknown (${db.vpcId.known ? '' : db.vpcId.why}): its network is NOT restricted.`] };
  if (!db.securityGroupIds.known && !offline) {
    return { steps: [], warnings: [`The security groups of DB ${db.kind} ${db.identifier} could not be read (${db.securityGroupIds.why}): they cannot be recorded, so they are NOT changed.`] };
  }
  const groups = planVpcIsolationGroup(vpcId, offline ? known([]) : facts.responderSecurityGroups);
  const current = db.securityGroupIds.known ? db.securityGroupIds.value : OFFLINE_GROUPS;
  const already = current.length > 0 && current.every((g) => groups.isolatedOn.has(g));
  const pending = db.pendingModifications.known ? db.pendingModifications.value : [];
  if (!already && pending.length > 0) {
    // ApplyImmediately would apply them too: the restriction is shown, refused, and left to a person; nothing is made or recorded for it.
    const refused = pendingRefusal(db.kind, db.identifier, pending);
    const restrict = planRestrictNetwork({ database: db, isolation: groups.isolation, requires: [], stage: STAGE.restrict, skip: null, refused });
    return { steps: [restrict], warnings: [`NETWORK NOT RESTRICTED: ${refused}.`, manualPendingModificationsStep(db, pending)] };
  }
  // The responder's own groups are never recorded as the database's (a second finding after a first restriction).
  const originals = current.filter((g) => !groups.responderMade.has(g));
  const { finding, incidentId } = input;
  const steps: PlannedStep[] = [];
  const warnings = [...groups.warnings];
  const requires: string[] = [...groups.isolationReady];
  if (originals.length > 0) {
    steps.push(
      databaseRecordStep({
        kind: db.kind,
        identifier: db.identifier,
        securityGroupIds: originals,
        target: { accountId: finding.accountId ?? null, region: finding.region ?? null, incidentId, findingId: finding.id },
        stage: STAGE.record,
      }),
    );
    requires.push(RECORD_DATABASE_ID);
  } else if (!already) {
    warnings.push(`DB ${db.kind} ${db.identifier} is on no group of its own (only the responder's): nothing new is recorded; an earlier record, if any, is what ir release restores.`);
  }
  const restrict = planRestrictNetwork({
    database: db,
    isolation: groups.isolation,
    requires,
    stage: STAGE.restrict,
    skip: already ? `already on the isolation group ${current.join(', ')} alone` : null,
  });
  // A record that failed stops the group steps too: nothing is made for a restriction that will not happen.
  const groupSteps = already ? [] : groups.steps.map(asDatabaseStep).map((s) => (originals.length > 0 ? { ...s, requires: [...new Set([RECORD_DATABASE_ID, ...s.requires])] } : s));
  return { steps: [...steps, ...groupSteps, restrict], warnings };
}

export function planContainDatabase(input: PlanningInput<ContainDatabaseFacts>): PlaybookPlan {
  const { facts, finding, incidentId } = input;
  const tags = facts.database?.tags ?? {};
  const verdict = verdictOf(facts);
  const db = facts.database;
  if (verdict || !db) return { steps: [], warnings: manualDatabaseSteps(facts, finding.type), verdicts: verdict ? [verdict] : [], resourceTags: tags, resource: summary(facts) };
  const snapshot = planDatabaseSnapshot(db, finding, incidentId, STAGE.snapshot);
  const network = planNetwork(facts, db, input);
  const warnings = [
    ...(facts.source === 'finding' ? [OFFLINE_WARNING] : []),
    ...(db.viaInstance ? [`The finding names DB instance ${db.viaInstance}, a member of cluster ${db.identifier}: the cluster is snapshotted and restricted (RDS sets both per cluster).`] : []),
    ...network.warnings,
    ...manualDatabaseSteps(facts, finding.type),
  ];
  const steps = [snapshot, ...network.steps].map((step, index) => ({ step, index })).sort((a, b) => a.step.stage - b.step.stage || a.index - b.index).map(({ step }) => step);
  return { steps, warnings, verdicts: [], resourceTags: tags, resource: summary(facts) };
}
