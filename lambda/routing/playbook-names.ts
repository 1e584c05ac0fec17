export const PLAYBOOK_NAMES = ['contain-instance', 'revoke-credentials', 'notify'] as const;
export type PlaybookName = (typeof PLAYBOOK_NAMES)[number];

/** Playbooks that change resources; `notify` only reports. */
export const ACTING_PLAYBOOKS = ['contain-instance', 'revoke-credentials'] as const;
export type ActingPlaybookName = (typeof ACTING_PLAYBOOKS)[number];
