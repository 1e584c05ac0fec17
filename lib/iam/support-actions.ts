/*
 * Actions a playbook role holds besides the ones its steps declare
 * (requiredIamActions). They serve the Lambda runtime, not the playbook, so
 * the CDK test that proves "role actions = step actions" subtracts exactly
 * these and checks separately that each is scoped to the function's own
 * resource.
 */

/** Writing the function's logs. The log group is created by the stack, so no logs:CreateLogGroup. Scoped to that one group. */
export const LOG_WRITING_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const;

/**
 * Sending a failed asynchronous invocation to the function's on-failure
 * queue. Granted by CDK's SqsDestination (queue.grantSendMessages), scoped to
 * that one queue.
 */
export const ON_FAILURE_DESTINATION_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'] as const;
