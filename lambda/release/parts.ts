/* What an operator can choose to restore (`ir release --only`). Every part by default. */

export const RESTORE_PARTS = ['groups', 'profile', 'asg', 'target-groups', 'termination-protection'] as const;

export type RestorePart = (typeof RESTORE_PARTS)[number];

export function isRestorePart(value: string): value is RestorePart {
  return (RESTORE_PARTS as readonly string[]).includes(value);
}

/** `groups,profile`: the parts named, or an error naming the first one that is not a part. */
export function parseRestoreParts(list: string): { readonly parts: ReadonlySet<RestorePart> } | { readonly error: string } {
  const names = list.split(',').map((part) => part.trim()).filter((part) => part !== '');
  const unknown = names.find((name) => !isRestorePart(name));
  if (unknown !== undefined) return { error: `--only: "${unknown}" is not one of ${RESTORE_PARTS.join(', ')}` };
  if (names.length === 0) return { error: `--only names no part (${RESTORE_PARTS.join(', ')})` };
  return { parts: new Set(names.filter(isRestorePart)) };
}
