import type { StepSpec } from '../plan/types';

/*
 * Every call the responder makes to its incident ledger (a DynamoDB table of
 * the security account). Not mutating in the plan's sense: the ledger is the
 * responder's own record, written in dry-run too, and never a change to the
 * account a finding is about. The playbook roles are derived from these.
 */

/** Claims the right to answer an incident (one conditional write), or learns that an earlier delivery has it. */
export const CLAIM_INCIDENT: StepSpec = { kind: 'claim-incident', iamActions: ['dynamodb:UpdateItem'], mutating: false };

/**
 * Holds the incident's claim to act on it, once GuardDuty has confirmed the finding and the plan acts: marks its
 * own early claim acting, or takes over a live early claim that is not (lambda/respond/gate.ts).
 */
export const HOLD_INCIDENT_TO_ACT: StepSpec = { kind: 'hold-incident-to-act', iamActions: ['dynamodb:UpdateItem'], mutating: false };

/** Records what a delivery did: the plan, every step's outcome, a notification still owed. */
export const RECORD_INCIDENT: StepSpec = { kind: 'record-incident', iamActions: ['dynamodb:UpdateItem'], mutating: false };

/**
 * Reads the brake's slots (BatchGetItem) and its latch (GetItem), reserves a
 * slot (conditional put), releases it when the response does not act, and
 * latches the brake when it is full (conditional put of the latch item).
 */
const BRAKE_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;
export const RESERVE_CONTAINMENT: StepSpec = {
  kind: 'reserve-containment-slot',
  iamActions: BRAKE_ACTIONS,
  mutating: false,
  // On the brake's table, which is the ledger's unless every regional stack shares one (blastRadius.homeRegion).
  iamGrants: BRAKE_ACTIONS.map((action) => ({ action, brakeTable: true as const })),
};

export const LEDGER_STEP_SPECS: readonly StepSpec[] = [CLAIM_INCIDENT, HOLD_INCIDENT_TO_ACT, RECORD_INCIDENT];
export const BRAKE_STEP_SPECS: readonly StepSpec[] = [RESERVE_CONTAINMENT];
