import type { Finding } from '../../finding/schema';
import type { GuardVerdict } from '../../guards/types';
import type { PlannedStep } from '../../plan/types';
import type { PlanningInput, PlaybookPlan } from '../types';
import { executionRoleDecision } from './execution-role';
import { foundValue, type ContainFunctionFacts, type FunctionConfiguration, type FunctionFacts, type ProvisionedConcurrency } from './facts';
import { revokeExecutionRoleStep } from './revoke-role-step';
import { afterFunctionRecord, functionRestoreRecordStep } from './restore-record-step';
import { parseFunctionArn } from '../../finding/lambda-function';
import { throttleFunctionStep } from './throttle-step';
import { isProtectedRoleName } from '../../iam/revoke-sessions';
import { responderFunction, unreadable, unverified, verified } from './verdicts';

/*
 * A compromised Lambda function: record what it is (code hash, version,
 * role, VPC, environment variable names) and its reserved concurrency, then
 * stop it from running (reserved concurrency 0) and revoke its execution
 * role's older sessions, which the function's code may have handed out.
 * Nothing is deleted: the code and configuration stay for the investigation,
 * and `ir release --function` undoes both changes from the ledger's record.
 */

function findingTags(finding: Finding): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of finding.resource?.lambdaDetails?.tags ?? []) if (tag.key) tags[tag.key] = tag.value ?? '';
  return tags;
}

/** Lambda's own answer must name the function the finding names, in the finding's account and region. */
function answerDisagrees(configuration: FunctionConfiguration, functionName: string, finding: Finding): string | undefined {
  const arn = configuration.functionArn ? parseFunctionArn(configuration.functionArn) : undefined;
  if (!arn) return 'Lambda answered with a function ARN that does not parse';
  if (arn.functionName !== functionName) return `Lambda answered for function ${arn.functionName}, not ${functionName}`;
  if (finding.accountId && arn.accountId !== finding.accountId) return `Lambda answered from account ${arn.accountId}, not the finding's account ${finding.accountId}`;
  if (finding.region && arn.region !== finding.region) return `Lambda answered from region ${arn.region}, not the finding's region ${finding.region}`;
  return undefined;
}

function resourceOf(facts: FunctionFacts, finding: Finding): Record<string, unknown> {
  const configuration = foundValue(facts.configuration) ?? null;
  const version = facts.versionConfiguration ? (foundValue(facts.versionConfiguration) ?? null) : null;
  return {
    resource: 'lambda-function',
    functionName: facts.target.functionName,
    findingVersion: facts.target.version,
    functionState: facts.configuration.state,
    configuration,
    // The code that ran, when the finding names a published version; $LATEST's is in `configuration`.
    versionConfiguration: version,
    reservedConcurrency: facts.reservedConcurrency.state === 'found' ? facts.reservedConcurrency.value : null,
    reservedConcurrencyState: facts.reservedConcurrency.state,
    roleFromFinding: configuration ? null : (finding.resource?.lambdaDetails?.role ?? null),
  };
}

function concurrencyWarning(facts: FunctionFacts): string[] {
  const lookup = facts.reservedConcurrency;
  if (lookup.state === 'found' && lookup.value === 0) return [`Lambda function ${facts.target.functionName} already has a reserved concurrency of 0: setting it again changes nothing, and the record keeps 0 as its original.`];
  if (lookup.state === 'failed') return [`the reserved concurrency of ${facts.target.functionName} could not be read (GetFunctionConcurrency: ${lookup.error.code}): the record step reads it again before the change.`];
  return [];
}

function describeProvisioned(configs: readonly ProvisionedConcurrency[]): string {
  return configs.map((c) => `${c.qualifier}: ${c.requested}${c.status ? ` (${c.status})` : ''}`).join(', ');
}

/** Why the throttle cannot be made (provisioned concurrency above 0), and what a person does instead; nothing when there is none, or it is unknown. */
function provisionedConcurrency(facts: FunctionFacts): { refused: string | null; warnings: string[] } {
  const { functionName } = facts.target;
  const lookup = facts.provisionedConcurrency;
  if (lookup.state === 'failed') {
    return {
      refused: null,
      warnings: [
        `the provisioned concurrency of ${functionName} could not be read (ListProvisionedConcurrencyConfigs: ${lookup.error.code}): if a version or alias has any, Lambda refuses the throttle (a reserved concurrency below it) and the step fails.`,
      ],
    };
  }
  const provisioned = (foundValue(lookup) ?? []).filter((c) => c.requested > 0);
  if (provisioned.length === 0) return { refused: null, warnings: [] };
  const list = describeProvisioned(provisioned);
  const refused = `Lambda function ${functionName} has provisioned concurrency (${list}), and Lambda refuses a reserved concurrency below it: the throttle (0) cannot be made while it is there`;
  return {
    refused,
    warnings: [
      `FUNCTION NOT THROTTLED: ${refused}; the function keeps running.`,
      `MANUAL: note the provisioned concurrency of ${functionName} (${list}), delete it (aws lambda delete-provisioned-concurrency-config --function-name ${functionName} --qualifier <each of ${provisioned.map((c) => c.qualifier).join(', ')}>), ` +
        `then throttle the function (aws lambda put-function-concurrency --function-name ${functionName} --reserved-concurrent-executions 0), or answer the finding again. ` +
        'The responder does not delete it: ir release --function would not put it back, and its capacity may not be had again.',
    ],
  };
}

function planForFunction(input: PlanningInput<ContainFunctionFacts>, facts: FunctionFacts): PlaybookPlan {
  const { finding } = input;
  const { functionName } = facts.target;
  const { configuration } = facts;
  const base = { resource: resourceOf(facts, finding) };
  if (configuration.state === 'missing') {
    return {
      ...base,
      steps: [],
      verdicts: [],
      resourceTags: findingTags(finding),
      warnings: [`Lambda function ${functionName} does not exist in account ${finding.accountId ?? '(none)'}, region ${finding.region ?? '(none)'} (GetFunctionConfiguration: ${configuration.error.code}): nothing to contain. Find out in CloudTrail who deleted it, and what its role did.`],
    };
  }
  const verdicts: GuardVerdict[] = [];
  const found = foundValue(configuration);
  if (configuration.state === 'failed') verdicts.push(unreadable(`Lambda function ${functionName}`, 'GetFunctionConfiguration', configuration.error.code));
  else if (found) {
    const disagreement = answerDisagrees(found, functionName, finding);
    verdicts.push(disagreement ? unverified(disagreement) : verified(functionName, `exists in account ${finding.accountId ?? '(none)'}, region ${finding.region ?? '(none)'} (GetFunctionConfiguration)`));
  }
  // The exempt tag cannot be checked on tags that could not be read: refuse rather than guess.
  if (facts.tags.state === 'failed') verdicts.push(unreadable(`the tags of Lambda function ${functionName}`, 'ListTags', facts.tags.error.code));

  const offline = configuration.state === 'not-read';
  const roleArn = found ? found.role : (finding.resource?.lambdaDetails?.role ?? null);
  const roleSource = offline ? 'the finding' : 'the function\'s configuration';
  const decision = executionRoleDecision(roleArn, roleSource, input);
  // The responder's own functions run as its own roles: a finding about one (genuine or not) never makes the responder stop itself.
  if (decision.role && isProtectedRoleName(decision.role.roleName, input.responder.protectedRoleNames)) verdicts.push(responderFunction(functionName, decision.role.roleName));
  // The concurrency is the function's, whatever version the finding names: the label is the unqualified ARN.
  const arn = parseFunctionArn(found?.functionArn ?? facts.target.findingArn ?? '');
  const label = arn ? `arn:${arn.partition}:lambda:${arn.region}:${arn.accountId}:function:${arn.functionName}` : `Lambda function ${functionName}`;
  const because = `GuardDuty reports ${finding.type} for Lambda function ${functionName}`;

  const provisioned = provisionedConcurrency(facts);
  const changes: PlannedStep[] = [throttleFunctionStep(functionName, label, because, provisioned.refused)];
  if (decision.revoke) {
    changes.push(revokeExecutionRoleStep(decision.role, input.now));
  }
  const record = functionRestoreRecordStep({
    accountId: finding.accountId ?? null,
    region: finding.region ?? null,
    functionName,
    incidentId: input.incidentId,
    findingId: finding.id,
    configuration: found ?? null,
    roleName: decision.revoke ? decision.role.roleName : null,
  });

  const warnings = [
    ...(offline ? [`planned from the finding alone: Lambda function ${functionName}, its configuration, reserved concurrency, tags and role were not read (the role is the finding's).`] : []),
    ...provisioned.warnings,
    ...concurrencyWarning(facts),
    ...(decision.revoke ? [] : [decision.warning]),
    ...(provisioned.refused ? [] : [`while throttled, Lambda function ${functionName} runs for nobody: whatever depends on it fails until the release (ir release --function ${functionName}).`]),
    ...(decision.revoke
      ? [`every session of role ${decision.role.roleName} issued before the revocation stops working, including those of other functions or services using the role, until they take fresh credentials.`]
      : []),
    `the function's code and configuration are unchanged: review its code (hash ${found?.codeSha256 ?? 'not read'}), its triggers and who deployed it last.`,
  ];
  return {
    ...base,
    steps: [record, ...afterFunctionRecord(changes)],
    verdicts,
    resourceTags: facts.tags.state === 'found' ? facts.tags.value : findingTags(finding),
    warnings,
  };
}

export function planContainFunction(input: PlanningInput<ContainFunctionFacts>): PlaybookPlan {
  const { facts } = input;
  if (facts.kind === 'unverified') {
    return {
      steps: [],
      verdicts: [unverified(facts.why)],
      resourceTags: {},
      resource: { resource: 'lambda-function', functionName: null },
      warnings: ['the finding names no Lambda function the responder can verify: look at the finding in the GuardDuty console and contain the function by hand.'],
    };
  }
  return planForFunction(input, facts);
}
