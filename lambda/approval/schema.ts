import * as z from '../zod';
import { APPROVAL_MODES, CHANGE_CLASSES, type ChangeClass } from './types';

/*
 * The `approval` key of the configuration (docs/configuration.md#approval):
 * per class of change, and optionally per account, severity range and
 * resource tag, whether the responder makes a change at once (`auto`), once a
 * person approves it (`approve`), or never (`never`). Validated at synth like
 * every key, with errors that name it.
 *
 * Tags are written by whoever controls the resource, the attacker included:
 * a rule that matches on tags may only make the policy stricter (its mode may
 * not be `auto`), and lambda/approval/evaluate.ts only lets such a rule
 * tighten the decision the other rules make.
 */

const severity = z.number().check(z.gte(0), z.lte(10));
const accountId = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'));

/** Rule ids are shown in plans, reports and notifications: short, plain, and never 'default' (which names the per-class default). */
const ruleId = z.string().check(
  z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  z.refine((id) => id !== 'default', { message: '"default" names the per-class default (approval.defaults): give the rule another id' }),
);

const changeClass = z.enum(CHANGE_CLASSES);
const mode = z.enum(APPROVAL_MODES);

/** EC2 and IAM tag keys and values: up to 128 and 256 characters. */
const tagKey = z.string().check(z.minLength(1), z.maxLength(128));
const tagValue = z.string().check(z.maxLength(256));

const severityRange = z
  .strictObject({ min: z.optional(severity), max: z.optional(severity) })
  .check(
    z.refine((range) => range.min !== undefined || range.max !== undefined, { message: 'names neither "min" nor "max": give at least one, or remove "severity"' }),
    z.refine((range) => range.min === undefined || range.max === undefined || range.min <= range.max, { message: '"min" is above "max": no finding would match', path: ['min'] }),
  );

const match = z
  .strictObject({
    /** The finding's account is one of these (GuardDuty confirms it before any change). */
    accounts: z.optional(z.array(accountId).check(z.minLength(1, 'an empty list matches no account: list at least one, or remove "accounts"'))),
    /** The finding's severity is within this range, both ends included. */
    severity: z.optional(severityRange),
    /** The resource carries every one of these tags, with one of the values given (compared without regard to case). */
    tags: z.optional(
      z
        .record(tagKey, z.union([tagValue, z.array(tagValue).check(z.minLength(1, 'an empty list matches no value: list at least one'))]))
        .check(z.refine((tags) => Object.keys(tags).length > 0, { message: 'names no tag: give at least one, or remove "tags"' })),
    ),
  })
  .check(z.refine((m) => m.accounts !== undefined || m.severity !== undefined || m.tags !== undefined, { message: 'matches nothing in particular: give "accounts", "severity" or "tags", or remove "match"' }));

const rule = z
  .strictObject({
    id: ruleId,
    /** The class of change, a list of them, or '*' for every class. */
    class: z.union([z.literal('*'), changeClass, z.array(changeClass).check(z.minLength(1, 'an empty list matches no change: list at least one class, or use "*"'))], {
      error: `must be "*" (every class), one of ${CHANGE_CLASSES.map((c) => `"${c}"`).join(', ')}, or a list of them`,
    }),
    mode,
    match: z.optional(match),
  })
  .check(
    // A tag is the resource's own claim: whoever controls the instance or the principal can write it. It may ask for more care, never for less.
    z.refine((r) => r.match?.tags === undefined || r.mode !== 'auto', {
      message: 'a rule that matches on tags cannot be "auto": tags are written by whoever controls the resource (the attacker too), so they may only make the policy stricter ("approve" or "never")',
      path: ['mode'],
    }),
  );

/** At most this many rules: the runtime configuration travels in each Lambda's environment (4 KB in all). */
export const MAX_APPROVAL_RULES = 20;

export const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 60;
export const DEFAULT_ESCALATE_MINUTES_BEFORE = 15;
/** A week: a change nobody decided on for longer is no longer the answer to this finding. */
export const MAX_APPROVAL_TIMEOUT_MINUTES = 7 * 24 * 60;

export const ON_TIMEOUT = ['act', 'stand-down'] as const;
export type OnTimeout = (typeof ON_TIMEOUT)[number];


export const approvalSchema = z
  .strictObject({
    /**
     * The mode of each class no rule matches. A class not named here: its built-in default (BUILT_IN_DEFAULT_MODES in
     * types.ts: `approve` for contain-node and restrict-database-network, with or without an `approval` key), else `auto`.
     */
    defaults: z._default(
      z.strictObject({
        isolate: z.optional(mode),
        'detach-auto-scaling': z.optional(mode),
        'detach-load-balancer': z.optional(mode),
        'remove-instance-profile': z.optional(mode),
        'revoke-sessions': z.optional(mode),
        'deactivate-key': z.optional(mode),
        'block-public-access': z.optional(mode),
        'quarantine-object': z.optional(mode),
        'throttle-function': z.optional(mode),
        'stop-task': z.optional(mode),
        'tag-task-definition': z.optional(mode),
        'contain-node': z.optional(mode),
        'restrict-database-network': z.optional(mode),
        'unshare-image': z.optional(mode),
      } satisfies Record<ChangeClass, unknown>),
      {},
    ),
    /** See lambda/approval/evaluate.ts for how they combine: in short, the strictest rule that matches wins, and tags only tighten. */
    rules: z._default(
      z.array(rule).check(
        z.maxLength(MAX_APPROVAL_RULES, `at most ${MAX_APPROVAL_RULES} rules: the configuration travels in each playbook's environment`),
        z.refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, { message: 'two rules have the same id: each id must name one rule' }),
      ),
      [],
    ),
    /** How long a change waits for a decision. */
    timeoutMinutes: z._default(z.int().check(z.gte(1), z.lte(MAX_APPROVAL_TIMEOUT_MINUTES)), DEFAULT_APPROVAL_TIMEOUT_MINUTES),
    /** Nobody decided in time: make the changes (`act`) or leave them unmade (`stand-down`). Either way people are told. */
    onTimeout: z._default(z.enum(ON_TIMEOUT), 'stand-down'),
    /** The escalation (a second topic) goes this many minutes before the deadline; 0: none. */
    escalateMinutesBefore: z._default(z.int().check(z.gte(0), z.lte(MAX_APPROVAL_TIMEOUT_MINUTES)), DEFAULT_ESCALATE_MINUTES_BEFORE),
    /** Who the escalation topic tells before a deadline (the second line); none: the topic is there to subscribe to. */
    escalationEmails: z.optional(z.array(z.email())),
  })
  .check(
    z.refine((a) => a.escalateMinutesBefore < a.timeoutMinutes, {
      message: 'must be less than "timeoutMinutes": the escalation goes before the deadline (0: no escalation)',
      path: ['escalateMinutesBefore'],
    }),
  );

export type ApprovalConfig = z.infer<typeof approvalSchema>;
export type ApprovalRule = ApprovalConfig['rules'][number];
