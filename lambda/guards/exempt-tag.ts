import type { PlaybookName } from '../routing/playbook-names';
import { untrusted } from '../text/untrusted';
import { EXEMPT_TAG } from './exemptions';
import { block, pass, type Guard } from './types';

/*
 * Teams tag resources that must never be touched automatically (e.g. a
 * honeypot, a forensics host). An instance's tags are only as trustworthy as
 * whoever may write them, so docs/design.md shows the SCP that reserves the tag
 * key to the security team. A principal's own tags never count: a
 * compromised user or role can often tag itself (iam:TagUser, iam:TagRole),
 * so credential findings take their exemptions from the configuration
 * (credentials.exemptPrincipals, checked by revoke-credentials).
 */
const TAGS_EXEMPT: Readonly<Record<PlaybookName, boolean>> = {
  'contain-instance': true,
  'revoke-credentials': false,
  // A bucket's tags (as GuardDuty reports them, confirmed with the finding): a bucket meant to be public can be exempted.
  'block-public-access': true,
  'quarantine-object': true,
  'contain-function': true,
  // The sequence carries no tags: each resource's own playbook decides on its tags (lambda/playbooks/answer-sequence/plan.ts).
  'answer-sequence': true,
  // The task's tags and, on the EC2 launch type, its instance's: written by whoever runs the workload, reserved like an instance's.
  'contain-task': true,
  // The node's tags (as for an instance); a principal's own never count (credentials.exemptPrincipals does, in the plan).
  'contain-eks': true,
  // A database's tags, as an instance's: docs/design.md's SCP reserves the key to the security team.
  'contain-database': true,
  'quarantine-image': true,
  notify: true,
};

export const exemptTagGuard: Guard = {
  id: EXEMPT_TAG,
  check: ({ config, resourceTags, playbook }) => {
    const key = config.exemptTagKey;
    const tagged = Object.prototype.hasOwnProperty.call(resourceTags, key);
    if (!TAGS_EXEMPT[playbook]) {
      // Said out loud when the tag is there: a team that exempted a principal by tag must learn it no longer holds.
      return tagged
        ? pass(EXEMPT_TAG, `the principal carries "${key}" (value "${untrusted(resourceTags[key])}"), but a principal's own tags never exempt it: list it in credentials.exemptPrincipals`)
        : pass(EXEMPT_TAG, `a principal's own tags never exempt it ("${key}" is not consulted): only credentials.exemptPrincipals does`);
    }
    return tagged
      ? block(EXEMPT_TAG, `the resource carries the exempt tag "${key}" (value "${untrusted(resourceTags[key])}")`)
      : pass(EXEMPT_TAG, `the resource does not carry the exempt tag "${key}"`);
  },
};
