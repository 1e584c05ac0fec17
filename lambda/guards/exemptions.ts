/*
 * The verdicts that mean "the team exempted this resource from automated
 * response" (ids only, so the notification can name them in its subject
 * without carrying a playbook): the exempt tag on an instance, and a
 * principal listed in credentials.exemptPrincipals.
 */
export const EXEMPT_TAG = 'exempt-tag';
export const EXEMPT_PRINCIPAL = 'exempt-principal';

export const EXEMPTION_VERDICTS: readonly string[] = [EXEMPT_TAG, EXEMPT_PRINCIPAL];
