import { block, pass, type Guard } from './types';

/** Teams tag resources that must never be touched automatically (e.g. a honeypot, a forensics host). */
export const exemptTagGuard: Guard = {
  id: 'exempt-tag',
  check: ({ config, resourceTags }) => {
    const key = config.exemptTagKey;
    return Object.prototype.hasOwnProperty.call(resourceTags, key)
      ? block('exempt-tag', `the resource carries the exempt tag "${key}" (value "${resourceTags[key]}")`)
      : pass('exempt-tag', `the resource does not carry the exempt tag "${key}"`);
  },
};
