import type { ChangeClass, NeverWaitsReason, StepApproval } from '../approval/types';
import type { AwsClients } from '../aws/clients';
import type { StepError } from '../aws/errors';
import type { RestoreLedger } from '../ledger/restore-record';

/** An IAM action such as `ec2:ModifyNetworkInterfaceAttribute`. */
export type IamAction = `${string}:${string}`;

/** An IAM Condition element: operator → condition key → value(s). */
export type IamCondition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** EC2 resource types a grant can be confined to (the ARN is built in lib/iam/action-resources.ts). */
export type Ec2ResourceType = 'instance' | 'volume' | 'snapshot' | 'security-group' | 'vpc' | 'network-interface' | 'image';

/**
 * One action of a step, confined to what the step does with it: only on
 * these EC2 resource types and/or only when the condition holds (condition
 * keys of the Service Authorization Reference). Each grant becomes one
 * Allow statement of the role.
 */
export interface IamGrant {
  readonly action: IamAction;
  /** Absent: the action's scope from lib/iam/action-resources.ts. */
  readonly ec2ResourceTypes?: readonly Ec2ResourceType[];
  readonly condition?: IamCondition;
  /**
   * The blast-radius brake's table: the ledger table, or the one table every
   * regional stack shares (blastRadius.homeRegion). Only for dynamodb actions.
   */
  readonly brakeTable?: true;
  /**
   * An S3 object action on objects of any bucket (the condition confines it to the role's own account), not
   * on the evidence bucket that is the usual scope of s3:PutObject: quarantine-object's copy to the quarantine bucket.
   */
  readonly s3Objects?: true;
}

/**
 * A kind of step a playbook can take, with every IAM action it may call.
 * Roles are derived from these declarations, never written by hand.
 */
export interface StepSpec {
  readonly kind: string;
  readonly iamActions: readonly IamAction[];
  readonly mutating: boolean;
  /**
   * How some of iamActions are confined. An action named here is allowed
   * only through its grants; an action not named here is allowed on its
   * usual scope, unconditioned.
   */
  readonly iamGrants?: readonly IamGrant[];
  /**
   * A mutating step of a playbook: the class of change it makes, which the
   * approval policy is written per (lambda/approval/). Every mutating step
   * kind of a playbook declares either this or `neverWaits`, a read-only one
   * neither (test/unit/approval/step-classes.test.ts).
   */
  readonly changeClass?: ChangeClass;
  /** A mutating step the approval policy does not govern, and why (evidence, bookkeeping): it never waits. */
  readonly neverWaits?: NeverWaitsReason;
}

/** A value that survives JSON as it is: the report is returned, logged and printed with --json. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** What a read-only step found (e.g. the CloudTrail events of a key), for the report and the notification. */
export type StepEvidence = { readonly [key: string]: JsonValue };

export type StepRunResult =
  | { readonly status: 'done'; readonly detail?: string; readonly output?: unknown; readonly evidence?: StepEvidence }
  | {
      readonly status: 'skipped';
      readonly reason: string;
      /** Skipped with the resource still on an opening an earlier attempt left (a closesLeftOpen step that did not move it). */
      readonly leftOpen?: true;
    };

export interface ExecutionContext {
  readonly clients: AwsClients;
  /** Outputs of finished steps, by step id (e.g. the id of a security group created earlier). */
  readonly outputs: Map<string, unknown>;
  /** Outcomes so far, in plan order; the notification step reads them. */
  readonly outcomes: StepOutcome[];
  readonly now: () => Date;
  /**
   * Milliseconds left before the execution's deadline (which itself keeps
   * the notification's reserve before Lambda's timeout); absent when there
   * is none (the CLI). The executor sets it for each step it runs: a step
   * that opens something first checks it has the time to close it again.
   */
  readonly timeLeftMs?: () => number;
  /** The ledger's restore records (security account), for the steps that record originals before a change. Absent: no ledger (the CLI). */
  readonly restoreLedger?: RestoreLedger;
  /** Guard ids blocking every change, set for a step that runs even then: one that reports or undoes an early change (PlannedStep.earlyChange), or closes what an earlier attempt left open (closesLeftOpen). */
  readonly blockedBy?: readonly string[];
  /**
   * Another delivery of the incident may have changed the resource since this response read it (it joined an incident
   * another delivery opened, which moves beside its claim, or it took another's claim over: lambda/respond/gate.ts):
   * a step that moves the resource reads its state again first, so that it never undoes what that delivery did.
   */
  readonly othersMayMove?: boolean;
  /** With othersMayMove: until when the delivery that opened the incident may still be moving it (the read again waits for that). */
  readonly othersMoveUntilMs?: number;
  /**
   * This response acts on a decision it alone holds (a resumed approval: lambda/respond/resume.ts): no other delivery of
   * the incident answers it meanwhile, so what an earlier attempt left open is closed whatever the guards say of the finding.
   */
  readonly holdsDecision?: boolean;
}

export interface PlannedStep {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  /** The main IAM action of the call this step makes. */
  readonly action: IamAction;
  readonly iamActions: readonly IamAction[];
  readonly target: string;
  /** The request as it will be sent. Values produced by earlier steps appear as `<output of STEP>`. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly mutating: boolean;
  /** The class of change the step's kind declares (StepSpec.changeClass): what the approval policy decides on. */
  readonly changeClass?: ChangeClass;
  /**
   * The approval policy's decision on this step (lambda/approval/annotate.ts):
   * on every step of a change class when the configuration has an `approval`
   * key; absent on evidence, reads and the responder's own records, which
   * never wait, and on every step without that key (today's behaviour).
   */
  readonly approval?: StepApproval;
  readonly why: string;
  /** Steps of one stage run concurrently; stages run in order. */
  readonly stage: number;
  /**
   * A step of an earlier stage this one starts right after (whatever its
   * outcome), instead of waiting for that whole stage: an ENI moves to the
   * isolation group as soon as its own untrack move is answered, not the
   * slowest ENI's. Later stages still wait for this step.
   */
  readonly follows?: string;
  /** Steps that must be done for this one to run; otherwise it is skipped. */
  readonly requires: readonly string[];
  /** Runs even once the execution's deadline has passed (the notification: people must hear of every response). */
  readonly runsPastDeadline?: boolean;
  /**
   * The step bounds its own calls to this much time (the notification's one
   * Publish): past the deadline it is waited for this long from its start,
   * not cut with the others when the deadline's overrun ends.
   */
  readonly ownTimeLimitMs?: number;
  /**
   * What this step's failure leaves more exposed than before the response
   * (an ENI left on the allow-all group): named in the notification's
   * subject, and the invocation fails so that it is retried.
   */
  readonly exposedOnFailure?: string;
  /** A step that undoes what remains when this other step failed, and skips itself otherwise (returning an ENI to its groups). */
  readonly compensates?: string;
  /**
   * A change sent before the guards were settled (contain-instance's early move, lambda/playbooks/contain-instance/early/),
   * or the step that undoes it: it runs even when a guard blocks every change, so the report says what was sent and
   * a guard that says stop has it undone. The step reads the blocking guards from ExecutionContext.blockedBy.
   */
  readonly earlyChange?: boolean;
  /**
   * A step that takes a resource off an opening an earlier response left it on (contain-instance: an ENI found on the
   * allow-all untrack group, from an attempt that stopped halfway): it runs even when a guard blocks every change, as
   * an earlyChange step does, since a blocked response must not leave it there, and reads the blocking guards from
   * ExecutionContext.blockedBy. A delivery that does not hold the incident never runs it (the repeat runs only
   * earlyChange steps), and one that may not (the ledger's verdicts) or that GuardDuty did not confirm skips it: the
   * holder may be moving it through that group now.
   */
  readonly closesLeftOpen?: boolean;
  readonly run: (ctx: ExecutionContext) => Promise<StepRunResult>;
}

export type StepStatus = 'done' | 'skipped' | 'failed';

export interface StepOutcome {
  readonly id: string;
  readonly title: string;
  readonly action: IamAction;
  readonly target: string;
  readonly mutating: boolean;
  readonly status: StepStatus;
  readonly detail?: string;
  readonly evidence?: StepEvidence;
  readonly reason?: string;
  readonly error?: StepError;
  /** Failed, leaving this more exposed than before (the step's exposedOnFailure). */
  readonly exposed?: string;
  /** Skipped with the resource still on an opening an earlier attempt left (StepRunResult leftOpen). */
  readonly leftOpen?: true;
  /** The step of a change sent before the guards were settled (PlannedStep.earlyChange): its notification says so when blocked. */
  readonly earlyChange?: true;
  /** The step that takes a resource off an opening an earlier attempt left (PlannedStep.closesLeftOpen): its notification says so when blocked. */
  readonly closesLeftOpen?: true;
  readonly durationMs: number;
}

/** Turns a step spec into a planned step; keeps the declared actions attached. */
export function planStep(
  spec: StepSpec,
  step: Omit<PlannedStep, 'kind' | 'iamActions' | 'mutating' | 'requires' | 'stage' | 'changeClass' | 'approval'> & {
    readonly stage: number;
    readonly requires?: readonly string[];
  },
): PlannedStep {
  if (!spec.iamActions.includes(step.action)) {
    throw new Error(`step ${step.id}: action ${step.action} is not declared by step kind ${spec.kind}`);
  }
  return {
    ...step,
    kind: spec.kind,
    iamActions: spec.iamActions,
    mutating: spec.mutating,
    ...(spec.changeClass ? { changeClass: spec.changeClass } : {}),
    requires: step.requires ?? [],
  };
}

export function outputRef(stepId: string): string {
  return `<output of ${stepId}>`;
}
