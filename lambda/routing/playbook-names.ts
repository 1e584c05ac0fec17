export const PLAYBOOK_NAMES = [
  'contain-instance',
  'revoke-credentials',
  'contain-function',
  'block-public-access',
  'quarantine-object',
  'contain-task',
  'contain-eks',
  'contain-database',
  'quarantine-image',
  'answer-sequence',
  'notify',
] as const;
export type PlaybookName = (typeof PLAYBOOK_NAMES)[number];

/** Playbooks that change resources; `notify` only reports. */
export const ACTING_PLAYBOOKS = [
  'contain-instance',
  'revoke-credentials',
  'contain-function',
  'block-public-access',
  'quarantine-object',
  'contain-task',
  'contain-eks',
  'contain-database',
  'quarantine-image',
  'answer-sequence',
] as const;
export type ActingPlaybookName = (typeof ACTING_PLAYBOOKS)[number];

/** Whether the playbook reads or acts in the finding's account (then it assumes the member role in another account). A test holds it to the playbooks' step declarations. */
export function actsInFindingAccount(name: PlaybookName): name is ActingPlaybookName {
  return (ACTING_PLAYBOOKS as readonly PlaybookName[]).includes(name);
}
