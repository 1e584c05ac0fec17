/*
 * The verdicts a playbook gives when it could not read its resource, so
 * blocked every change: a retry may read it. Here, not in the playbooks, so
 * the retry policy every bundle carries does not pull in another playbook.
 */
export const INSTANCE_UNREADABLE = 'instance-unreadable';
export const PRINCIPAL_UNREADABLE = 'principal-unreadable';
export const DATABASE_UNREADABLE = 'database-unreadable';
export const IMAGE_UNREADABLE = 'image-unreadable';
