import type { Finding } from '../../lambda/finding/schema';
import type { PlanDocument, StepDocument } from '../../lambda/plan/document';
import type { PlaybookName } from '../../lambda/routing/playbook-names';

/** A plan document for a finding, as the response would record it, with these steps and any field overridden: the notification tests' input. */
export function planDocumentOf(finding: Finding, playbook: PlaybookName, steps: readonly StepDocument[] = [], over: Partial<PlanDocument> = {}): PlanDocument {
  return {
    playbook,
    findingId: finding.id,
    findingType: finding.type,
    severity: finding.severity,
    accountId: finding.accountId ?? null,
    region: finding.region ?? null,
    incidentId: 'ir-0123456789abcdef',
    dryRun: false,
    offline: false,
    route: { ruleId: `${playbook}-rule`, why: 'routed' },
    blockedBy: [],
    guards: [],
    warnings: [],
    resource: {},
    reads: [],
    steps,
    ...over,
  };
}
