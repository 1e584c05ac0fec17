import { evidencePrefix, keySegment } from '../evidence/layout';
import { JSON_CONTENT_TYPE, putEvidence, type EvidenceDestination } from '../evidence/destination';
import type { Decision } from './decisions';
import type { ApprovalView } from './pending-approval';

/*
 * Every recorded decision is also kept in the evidence bucket, beside the
 * incident's other evidence (lambda/evidence/layout.ts):
 *
 *   incidents/<account>/<region>/<incident id>/<finding id>/decisions/<at>-<decision>.json
 *
 * One object per decision: a response can be asked again after a changed
 * plan, and each answer stays (the bucket is versioned and locked anyway).
 */

export const DECISIONS_FOLDER = 'decisions';

export function decisionEvidenceKey(approval: ApprovalView, decision: Decision): string {
  const prefix = evidencePrefix({
    accountId: approval.accountId ?? null,
    region: approval.region ?? null,
    incidentId: approval.incidentId,
    findingId: approval.findingId ?? '',
  });
  return `${prefix}${DECISIONS_FOLDER}/${keySegment(`${decision.at}-${decision.decision}`, 'no-time')}.json`;
}

/** The object's body: the decision, and the plan it was made on (as the ledger held it). */
export function decisionEvidenceBody(approval: ApprovalView, decision: Decision): string {
  return `${JSON.stringify(
    {
      incidentId: decision.incidentId,
      decision: decision.decision,
      by: decision.by,
      at: decision.at,
      channel: decision.channel,
      ...(decision.reason === undefined ? {} : { reason: decision.reason }),
      planHash: decision.planHash,
      ...(decision.origin === undefined ? {} : { origin: decision.origin }),
      findingId: approval.findingId ?? null,
      playbook: approval.playbook ?? null,
      requestedAt: approval.requestedAt ?? null,
      deadline: approval.deadline ?? null,
      plan: approval.plan,
    },
    null,
    2,
  )}\n`;
}

export function putDecisionEvidence(destination: EvidenceDestination, approval: ApprovalView, decision: Decision): Promise<string> {
  return putEvidence(destination, decisionEvidenceKey(approval, decision), JSON_CONTENT_TYPE, decisionEvidenceBody(approval, decision));
}
