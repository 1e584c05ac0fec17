import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ScopeReferences } from './iam/action-resources';

/*
 * What a response that waits for a person's decision needs in the stack
 * (lambda/respond/wait.ts): the schedule group its one-time schedules (the
 * escalation, the deadline) are created in, the role EventBridge Scheduler
 * invokes the playbook function with, and the escalation topic, told before
 * the deadline. The playbook roles' own grants (create and delete schedules
 * in this group only, pass this role only, publish to this topic) are
 * derived from the wait's step declarations (lambda/approval/specs.ts) with
 * references() below, like every other permission.
 */

export interface ApprovalSchedulesProps {
  /** The schedule group's name: known at synth, so the playbook roles' schedule ARNs are too. */
  readonly groupName: string;
  /** The acting playbook functions: the only ones the schedules may invoke. Absent: allowInvoking() names them later. */
  readonly functions?: readonly lambda.IFunction[];
  /** The notification topic's key: the escalation topic carries the same kind of text. */
  readonly topicKey: kms.IKey;
  /** The scheduler role's fixed name (lib/naming.ts approvalSchedulerRoleName): the playbook roles' guardrails protect it by name. */
  readonly schedulerRoleName?: string;
  /** Who is told before a deadline (the second line). */
  readonly escalationEmails?: readonly string[];
}

export class ApprovalSchedules extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  readonly schedulerRole: iam.Role;
  readonly escalationTopic: sns.Topic;
  private readonly groupName: string;

  constructor(scope: Construct, id: string, props: ApprovalSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.groupName = props.groupName;
    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: props.groupName });
    // Only Scheduler, for schedules of this group in this account, may assume it (confused deputy).
    const schedulesOfGroup = `arn:${stack.partition}:scheduler:${stack.region}:${stack.account}:schedule/${props.groupName}/*`;
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      ...(props.schedulerRoleName ? { roleName: props.schedulerRoleName } : {}),
      description: 'EventBridge Scheduler invokes the playbook function of a response waiting for a decision (escalation, deadline)',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': schedulesOfGroup } },
      }),
    });
    if (props.functions) this.allowInvoking(props.functions);
    this.escalationTopic = new sns.Topic(this, 'EscalationTopic', { displayName: 'GuardDuty incident response: approval escalation', masterKey: props.topicKey, enforceSSL: true });
    for (const email of props.escalationEmails ?? []) this.escalationTopic.addSubscription(new subscriptions.EmailSubscription(email));
  }

  /**
   * The acting playbook functions the schedules invoke: named after the group and the role exist, because the playbook
   * roles name both (a separate policy resource, so the functions may depend on the role without a cycle).
   */
  allowInvoking(functions: readonly lambda.IFunction[]): void {
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'InvokePlaybooks', actions: ['lambda:InvokeFunction'], resources: functions.map((fn) => fn.functionArn) }),
    );
  }

  /** What lib/iam/action-resources.ts scopes the wait's grants to. */
  references(): NonNullable<ScopeReferences['approval']> {
    return { scheduleGroupName: this.groupName, schedulerRoleArn: this.schedulerRole.roleArn, escalationTopicArn: this.escalationTopic.topicArn };
  }

  /** The playbook function's environment (lambda/runtime/environment.ts). */
  environment(): Record<string, string> {
    return {
      IR_APPROVAL_SCHEDULE_GROUP: this.groupName,
      IR_APPROVAL_SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      IR_ESCALATION_TOPIC_ARN: this.escalationTopic.topicArn,
    };
  }
}
