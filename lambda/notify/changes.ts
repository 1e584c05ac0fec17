import { MANUAL_RESPONSE } from '../guards/manual-response';
import { FUNCTION_NAME } from '../finding/lambda-function';
import type { StepOutcome } from '../plan/types';
import type { NotificationDocument } from './document';

/*
 * What changed, what could not be done, and what a person must do next, in
 * plain words. The plan names a security group it creates as
 * "<output of STEP>" (it has no id until created): here it is the group's
 * real id, read from the outcome of the step that created it, or said
 * plainly that the group was not created.
 */

const PLACEHOLDER = /<output of ([^>]+)>/g;
const CREATED_GROUP = /\bcreated (sg-[0-9a-f]+)/;

/** Replaces every "<output of STEP>" with what that step produced (a security group id), or says it produced nothing. */
export function resolvePlaceholders(outcomes: readonly StepOutcome[]): (text: string) => string {
  const produced = new Map<string, string>();
  for (const o of outcomes) {
    const group = o.status === 'done' ? CREATED_GROUP.exec(o.detail ?? '')?.[1] : undefined;
    if (group) produced.set(o.id, group);
  }
  return (text) => text.replace(PLACEHOLDER, (_, step: string) => produced.get(step) ?? `(the group step ${step} was to create, not created)`);
}

/**
 * Every change made, as the step says it and what it reports (a group id, snapshot ids, an access key now Inactive).
 * The restore records the responder writes to its own ledger first are its bookkeeping, not a change to anything
 * the reader owns: they are in the steps, not here.
 */
export function changesOf(outcomes: readonly StepOutcome[], resolve: (text: string) => string): string[] {
  return outcomes
    .filter((o) => o.mutating && o.status === 'done' && !o.action.startsWith('dynamodb:'))
    .map((o) => resolve(o.detail ? `${o.title}: ${o.detail}` : o.title));
}

export function couldNotDoOf(outcomes: readonly StepOutcome[], reads: readonly StepOutcome[], resolve: (text: string) => string): string[] {
  return [...reads, ...outcomes]
    .filter((o) => o.status === 'failed')
    .map((o) => resolve(`${o.title}: ${o.error?.code ?? 'UnknownError'}: ${o.error?.message ?? ''}${o.mutating ? '' : ' (read-only)'}`));
}

type NextInput = Pick<NotificationDocument, 'outcome' | 'playbook' | 'incidentId' | 'region' | 'resource' | 'blocked' | 'counts'> & {
  readonly exposed: readonly string[];
  /** The access key the finding names, for `ir release --access-key`. */
  readonly accessKeyId?: string;
};

/** What a person does when nothing was automated, by the kind of resource. */
const REVIEW_BY_KIND: Readonly<Record<string, string>> = {
  S3Bucket: "Review the bucket's policy, ACLs and Block Public Access, and the caller's S3 data events in CloudTrail; restore deleted objects from versions or backups.",
  S3Object: 'Keep the object version as evidence; make it unreadable (docs/playbooks-s3.md) and find who uploaded it in the S3 data events.',
  EKSCluster: "Review the cluster's Kubernetes audit log for the user and workload named; cordon or delete a compromised pod and rotate its service account's credentials.",
  ECSCluster: 'Stop the task named if it is compromised, and review its task role and image.',
  Container: 'Stop the container named if it is compromised, and review its image and privileges.',
  Lambda: "Review the function's recent code and configuration changes and its execution role; set its reserved concurrency to 0 to stop it while you look.",
  RDSDBInstance: 'Review the database logins named; rotate the database user\'s password and restrict who can reach the database.',
  RDSLimitlessDB: 'Review the database logins named; rotate the database user\'s password and restrict who can reach the database.',
  AttackSequence: 'Open the attack sequence in GuardDuty: it links the signals, actors and resources; answer each resource it names.',
  IAMUser: "Review what the user's credentials did (CloudTrail link below); deactivate its keys if the activity is not expected.",
  IAMRole: "Review what the role's sessions did (CloudTrail link below); revoke its sessions if the activity is not expected.",
  Root: 'Review root-user activity at once (CloudTrail link below); rotate the root credentials and check its MFA.',
  Instance: 'Review the instance and the activity named; run `ir respond --execute` on the finding to contain it if needed.',
};

export function nextStepsOf(input: NextInput, outcomes: readonly StepOutcome[], resolve: (text: string) => string): string[] {
  const steps: string[] = [];
  if (input.exposed.length > 0) steps.push(`Move ${input.exposed.join(', ')} off the allow-all untrack group by hand now: to the isolation group, or back to their own groups.`);
  for (const o of outcomes.filter((x) => x.status === 'failed' && x.mutating)) steps.push(`Do by hand what failed: ${resolve(o.title)}.`);
  const ids = new Set(input.blocked.map((b) => b.id));
  if (ids.has('dry-run')) steps.push('Review the plan above; to act on it, run `ir respond --execute` on this finding, or switch the stack to enforce mode.');
  if (ids.has('blast-radius-brake')) steps.push('Find out why so many containments came at once; `ir brake release` resumes them once it is understood.');
  if ([...ids].some((id) => id.startsWith('exempt'))) steps.push('Decide whether the exempt resource needs a manual response.');
  if (ids.has(MANUAL_RESPONSE)) steps.push('MANUAL ACTION REQUIRED: do every step marked MANUAL in the warnings, now; the responder will not act on this principal.');
  if (input.outcome === 'AWAITING APPROVAL') {
    steps.push(
      `Decide on the changes that await approval (listed "awaits approval" below): \`ir approve ${input.incidentId}\` makes them, \`ir deny ${input.incidentId} --reason ...\` stands down; or make them by hand.`,
    );
  }
  if (input.outcome.startsWith('NEEDS APPROVAL')) {
    steps.push(
      'Nothing waits for a decision: this run could not wait for one (see "NOT RUN, NEEDS APPROVAL" above). Make the changes listed "awaits approval" below by hand if they are needed, or let the stack answer the finding where it can ask for a decision.',
    );
  } else if (input.outcome.endsWith(' - NOT CONTAINED') && (input.outcome.startsWith('DENIED') || input.outcome.startsWith('STOOD DOWN') || input.outcome.startsWith('POLICY SAYS NEVER'))) {
    steps.push('The changes that needed a decision were not made: review the finding and respond by hand if it needs it.');
  }
  if ([...ids].some((id) => id.endsWith('-out-of-time'))) {
    steps.push('Nothing was changed: the invocation fails and is retried. If every retry runs out of time too, the finding lands in the on-failure queue: replay it with `ir` or respond by hand.');
  }
  if (input.outcome === 'DONE - NOT CONTAINED' && input.playbook === 'quarantine-object') {
    steps.push(
      'The version is tagged but NOT quarantined: the bucket policy does not deny reading it (the warnings say why). Add the statement from docs/playbooks-s3.md to the bucket policy now, or remove the version by hand once it is copied for analysis.',
    );
  }
  if (input.outcome === 'DONE' || input.outcome === 'PARTIAL' || input.outcome.endsWith(' - PARTLY CONTAINED')) {
    if (input.playbook === 'contain-instance') {
      const instance = input.resource?.kind === 'Instance' ? input.resource.id : '<instance-id>';
      steps.push(
        `Investigate from the evidence snapshots (tagged with incident ${input.incidentId}); \`ir release ${instance} --region ${input.region ?? '<region>'}\` undoes the isolation once the instance is cleared.`,
      );
    }
    if (input.playbook === 'block-public-access') {
      const bucket = input.resource?.kind === 'S3Bucket' ? input.resource.id : '<bucket>';
      steps.push(
        `Remove the public ACL grants and policy statements that opened bucket ${bucket} (they are left as evidence, ignored while the block is on); \`ir release --bucket ${bucket}\` puts the recorded Block Public Access settings back if it must stay public.`,
      );
    }
    if (input.playbook === 'quarantine-object') {
      const copied = outcomes.some((o) => o.id === 'copy-object-version' && o.status === 'done');
      steps.push(
        copied
          ? 'The verified copy in the quarantine bucket is the evidence (the step above names it): analyse it there, and find who uploaded the object and who read it before. `ir release --object <bucket>/<key> --version-id <id>` copies it back as a new version if it is cleared.'
          : 'The version is kept, unreadable but to the security team if the bucket policy holds the quarantine statement (docs/playbooks-s3.md): analyse it, and find who uploaded it and who read it before.',
      );
    }
    if (input.playbook === 'answer-sequence') {
      steps.push(
        'Answer by hand each resource of the sequence reported or refused below (the reason is given); each answered resource is released as its own playbook\'s (`ir release <instance-id>`, `ir release --access-key <key-id>`).',
      );
    }
    if (input.playbook === 'contain-function') {
      // The name is the finding's text: it goes into a command only when it is a well-formed function name.
      const name = input.resource?.kind === 'Lambda' && FUNCTION_NAME.test(input.resource.id) ? input.resource.id : '<function-name>';
      steps.push(
        `Review the function's code (its CodeSha256 is in the evidence), triggers and last deployer, and what its role did (CloudTrail); ` +
          `\`ir release --function ${name} --region ${input.region ?? '<region>'}\` restores its concurrency and its role's sessions once it is cleared.`,
      );
    }
    if (input.playbook === 'contain-eks') {
      steps.push(
        `Run the kubectl commands listed in the warnings (cordon the node, quarantine the pod); review the cluster's audit log for the Kubernetes user; \`ir release <instance-id> --region ${input.region ?? '<region>'}\` undoes a node's isolation once it is cleared.`,
      );
    }
    if (input.playbook === 'contain-task') {
      steps.push(
        `Investigate from the task's record (incident ${input.incidentId}: task definition, image digests); block the suspect revision (tag ir:suspect) from running again, and scale its service down or roll it to a clean image.`,
      );
    }
    if (input.playbook === 'revoke-credentials') {
      steps.push(
        `Find what the credentials did (CloudTrail link below); delete or rotate the key once investigated; \`ir release --access-key ${input.accessKeyId ?? '<key-id>'}\` undoes the revocation if it was a false alarm.`,
      );
    }
  }
  if (input.outcome === 'NO ACTION' || (input.playbook === 'notify' && input.blocked.length === 0)) {
    steps.push(REVIEW_BY_KIND[input.resource?.kind ?? ''] ?? 'Review the finding in GuardDuty (link below) and decide on a response.');
  }
  return steps;
}
