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
