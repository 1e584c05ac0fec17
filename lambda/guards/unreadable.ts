/*
 * The verdicts a playbook gives when it could not read its resource, so
 * blocked every change: a retry may read it. Here, not in the playbooks, so
 * the retry policy every bundle carries does not pull in another playbook.
 */
export const INSTANCE_UNREADABLE = 'instance-unreadable';
export const PRINCIPAL_UNREADABLE = 'principal-unreadable';
/** The bucket (or object version) an S3 finding names could not be read with ExpectedBucketOwner = the finding's account. */
export const BUCKET_UNVERIFIED = 'bucket-verified';
export const OBJECT_UNVERIFIED = 'object-verified';
/** contain-function: the function or its tags could not be read. */
export const FUNCTION_UNREADABLE = 'function-unreadable';
/** contain-task: DescribeTasks failed, so nothing is known of the task. */
export const ECS_TASK_UNREADABLE = 'ecs-task-unreadable';
export const DATABASE_UNREADABLE = 'database-unreadable';
export const IMAGE_UNREADABLE = 'image-unreadable';
