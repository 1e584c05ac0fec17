import { GetFindingsCommand, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import * as z from '../zod';
import { toStepError } from '../aws/errors';
import { detectorIdOf } from '../confirm/detector';
import { parseFindings } from '../finding/parse';
import type { EffectiveRule } from '../routing/overrides';
import { routeFinding } from '../routing/route';
import { playbookFunctionOf, type PlaybookFunctions } from './resume-playbook';

/*
 * The Security Hub console's custom actions "IR: plan" and "IR: respond"
 * (lib/approval/security-hub-actions.ts): an analyst selects GuardDuty
 * findings and sends them through the same path as EventBridge does. The
 * event's findings (ASFF) are only used for the GuardDuty finding id: the
 * finding itself is read from GuardDuty (the security account's detector,
 * which as delegated administrator holds its members' findings), routed
 * with the routing table, and handed to its playbook as a direct
 * invocation: {"finding": ..., "dryRun": true} for "IR: plan"; for "IR:
 * respond" without dryRun, so every guard and the approval policy still
 * apply (a request can only make a run safer, never bypass the mode).
 * With it goes `requestedBy`: what the event says of the request (its id,
 * account, time, action), kept in the report; the console user is not in
 * the event, and the record says so.
 */

export const SECURITY_HUB_ACTIONS = { plan: { id: 'IrPlan', name: 'IR: plan' }, respond: { id: 'IrRespond', name: 'IR: respond' } } as const;
export type SecurityHubAction = keyof typeof SECURITY_HUB_ACTIONS;

/** More than an analyst selects at once; the rest are reported skipped. */
export const FINDINGS_PER_ACTION = 20;

const customActionEventSchema = z.looseObject({
  'detail-type': z.literal('Security Hub Findings - Custom Action'),
  source: z.literal('aws.securityhub'),
  id: z.optional(z.string()),
  account: z.optional(z.string()),
  time: z.optional(z.string()),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.looseObject({
    actionName: z.optional(z.string()),
    actionDescription: z.optional(z.string()),
    findings: z.array(z.looseObject({ Id: z.optional(z.string()), ProductArn: z.optional(z.string()) })),
  }),
});

/** Why a console request names no person: Security Hub's custom action event does not carry the console user. */
export const SECURITY_HUB_PERSON_NOT_GIVEN =
  'not given by AWS: the Security Hub custom action event carries no identity of the console user who chose the action (CloudTrail may hold the console session)';

/**
 * Everything the custom action event gives about where the request came from, sent with the finding to the playbook,
 * which keeps it in its report (PlanDocument.requestedBy): the ledger, the evidence. A field the event lacks says so.
 */
export interface SecurityHubRequest {
  readonly source: 'security-hub-custom-action';
  readonly eventId: string;
  readonly account: string;
  readonly region: string;
  readonly time: string;
  readonly actionName: string;
  readonly actionArn: string;
  readonly person: string;
}

const NOT_IN_EVENT = 'not in the event';

function requestOf(event: z.infer<typeof customActionEventSchema>, actionArn: string): SecurityHubRequest {
  return {
    source: 'security-hub-custom-action',
    eventId: event.id ?? NOT_IN_EVENT,
    account: event.account ?? NOT_IN_EVENT,
    region: event.region,
    time: event.time ?? NOT_IN_EVENT,
    actionName: event.detail.actionName ?? NOT_IN_EVENT,
    actionArn,
    person: SECURITY_HUB_PERSON_NOT_GIVEN,
  };
}

export interface SecurityHubActionDependencies {
  readonly guardDuty: GuardDutyClient;
  readonly lambda: LambdaClient;
  readonly region: string;
  /** The ARN of each of this stack's two action targets. */
  readonly actionArns: Readonly<Record<SecurityHubAction, string>>;
  readonly routingTable: readonly EffectiveRule[];
  readonly playbookFunctions: PlaybookFunctions;
}

export type ActionOutcome =
  | { readonly findingId: string; readonly status: 'sent'; readonly playbook: string; readonly dryRun: boolean }
  | { readonly findingId: string; readonly status: 'skipped'; readonly reason: string }
  | { readonly findingId: string; readonly status: 'failed'; readonly code: string; readonly message: string };

const GUARDDUTY_PRODUCT = /^arn:aws[a-z-]*:securityhub:[a-z0-9-]+::product\/aws\/guardduty$/;
const GUARDDUTY_FINDING_ID = /^arn:aws[a-z-]*:guardduty:([a-z0-9-]+):(\d{12}):detector\/[0-9a-f]+\/finding\/([0-9a-f]{1,64})$/;

/** The GuardDuty finding id of an ASFF finding GuardDuty sent to Security Hub, and its region; undefined for any other. */
export function guardDutyFindingOf(asff: { Id?: string; ProductArn?: string }): { readonly id: string; readonly region: string } | undefined {
  if (!asff.ProductArn || !GUARDDUTY_PRODUCT.test(asff.ProductArn)) return undefined;
  const match = GUARDDUTY_FINDING_ID.exec(asff.Id ?? '');
  return match ? { id: match[3]!, region: match[1]! } : undefined;
}

export async function handleSecurityHubAction(deps: SecurityHubActionDependencies, event: unknown): Promise<readonly ActionOutcome[]> {
  const parsed = customActionEventSchema.safeParse(event);
  if (!parsed.success) throw new Error(`not a Security Hub custom action event: ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
  const action = (Object.keys(deps.actionArns) as SecurityHubAction[]).find((name) => parsed.data.resources.includes(deps.actionArns[name]));
  if (!action) throw new Error("the event names none of this stack's Security Hub actions");
  const request = requestOf(parsed.data, deps.actionArns[action]);
  const outcomes: ActionOutcome[] = [];
  for (const [index, asff] of parsed.data.detail.findings.entries()) {
    const label = (asff.Id ?? `finding ${index + 1}`).slice(0, 256);
    if (index >= FINDINGS_PER_ACTION) {
      outcomes.push({ findingId: label, status: 'skipped', reason: `more than ${FINDINGS_PER_ACTION} findings selected at once` });
      continue;
    }
    const finding = guardDutyFindingOf(asff);
    if (!finding) {
      outcomes.push({ findingId: label, status: 'skipped', reason: 'not a GuardDuty finding' });
      continue;
    }
    if (finding.region !== deps.region) {
      outcomes.push({ findingId: finding.id, status: 'skipped', reason: `a finding of ${finding.region}: use that region's Security Hub console (its stack's actions)` });
      continue;
    }
    outcomes.push(await send(deps, finding.id, action === 'plan', request));
  }
  return outcomes;
}

async function send(deps: SecurityHubActionDependencies, findingId: string, dryRun: boolean, request: SecurityHubRequest): Promise<ActionOutcome> {
  try {
    const detectorId = await detectorIdOf(deps.guardDuty, deps.region);
    const answer = await deps.guardDuty.send(new GetFindingsCommand({ DetectorId: detectorId, FindingIds: [findingId] }));
    const found = answer.Findings?.[0];
    if (!found) return { findingId, status: 'skipped', reason: 'GuardDuty does not hold this finding (archived long ago, or not of this account)' };
    const [finding] = parseFindings(found);
    const route = routeFinding(finding!, deps.routingTable);
    const functionName = playbookFunctionOf(deps.playbookFunctions, route.playbook);
    await deps.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ finding: found, ...(dryRun ? { dryRun: true } : {}), requestedBy: request })),
      }),
    );
    return { findingId, status: 'sent', playbook: route.playbook, dryRun };
  } catch (error) {
    const { code, message } = toStepError(error);
    return { findingId, status: 'failed', code, message };
  }
}
