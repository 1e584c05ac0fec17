import type { ApprovalConfig, ApprovalRule } from './schema';
import { BUILT_IN_DEFAULT_MODES, type ApprovalMode, type ChangeClass, type StepApproval } from './types';

/*
 * The approval policy, as one pure function: data in (the class of a
 * planned change, the finding's account and severity, the resource's tags,
 * the configuration), a decision out, naming the rule that gave it. Like a
 * cdk-nag rule: no AWS call, no clock, nothing read from anywhere else, so
 * `ir plan`, the Lambda and the tests decide alike.
 *
 * How the rules combine:
 * 1. Only rules of the change's class ('*': every class) count.
 * 2. The trusted rules: those that match on the account and the severity
 *    alone (GuardDuty confirms both before any change). The strictest that
 *    matches decides (never > approve > auto; of equally strict rules, the
 *    first in the list); none matches: the class's default (`auto` when the
 *    configuration names none, the behaviour without the feature).
 * 3. The tag rules: a tag is the resource's own claim, written by whoever
 *    controls it, the attacker included. A tag rule that matches (its
 *    accounts and severity too) replaces that decision only when it is
 *    stricter. So a tag can never loosen the policy: adding a tag, or a tag
 *    rule, never makes a decision less strict (test/unit/approval/evaluate.test.ts
 *    proves it for any configuration). Removing a tag can only undo what a tag
 *    added: the baseline for an untagged resource is the trusted rules'.
 */

const STRICTNESS: Readonly<Record<ApprovalMode, number>> = { auto: 0, approve: 1, never: 2 };

/** Whether `a` is stricter than `b` (never > approve > auto). */
export function stricter(a: ApprovalMode, b: ApprovalMode): boolean {
  return STRICTNESS[a] > STRICTNESS[b];
}

/** What the policy decides on: the change, and what is known of the finding and its resource. */
export interface ApprovalSubject {
  readonly changeClass: ChangeClass;
  /** The finding's account; null: unknown (then no rule naming accounts matches). */
  readonly accountId: string | null;
  readonly severity: number;
  /** The resource's tags as discovered (the finding's, offline). */
  readonly tags: Readonly<Record<string, string>>;
}

function coversClass(rule: ApprovalRule, changeClass: ChangeClass): boolean {
  if (rule.class === '*') return true;
  return typeof rule.class === 'string' ? rule.class === changeClass : rule.class.includes(changeClass);
}

function matchesFinding(rule: ApprovalRule, subject: ApprovalSubject): boolean {
  const match = rule.match;
  if (!match) return true;
  if (match.accounts && (subject.accountId === null || !match.accounts.includes(subject.accountId))) return false;
  const { min, max } = match.severity ?? {};
  if (min !== undefined && subject.severity < min) return false;
  if (max !== undefined && subject.severity > max) return false;
  return true;
}

const folded = (text: string) => text.trim().toLowerCase();

/**
 * Every tag the rule names is on the resource with one of its values. Keys and values compare without regard
 * to case or surrounding spaces: a tag rule only ever tightens, so matching more widely is the safe side.
 */
function matchesTags(wanted: Readonly<Record<string, string | readonly string[]>>, tags: Readonly<Record<string, string>>): boolean {
  const present = Object.entries(tags).map(([key, value]) => [folded(key), folded(value)] as const);
  return Object.entries(wanted).every(([key, values]) => {
    const accepted = (typeof values === 'string' ? [values] : values).map(folded);
    return present.some(([k, v]) => k === folded(key) && accepted.includes(v));
  });
}

/** The strictest of these rules, the first of equally strict ones. */
function strictest(rules: readonly ApprovalRule[]): ApprovalRule | undefined {
  return rules.reduce<ApprovalRule | undefined>((best, rule) => (best === undefined || stricter(rule.mode, best.mode) ? rule : best), undefined);
}

function describeMatch(rule: ApprovalRule): string {
  const { accounts, severity, tags } = rule.match ?? {};
  const parts = [
    ...(accounts ? [`account ${accounts.join(' or ')}`] : []),
    ...(severity ? [`severity ${severity.min ?? 0} to ${severity.max ?? 10}`] : []),
    ...(tags ? Object.entries(tags).map(([key, values]) => `tag ${key}=${typeof values === 'string' ? values : values.join('|')}`) : []),
  ];
  return parts.length > 0 ? parts.join(', ') : 'every finding';
}

export function evaluateApproval(policy: ApprovalConfig, subject: ApprovalSubject): StepApproval {
  const { changeClass } = subject;
  const ofClass = policy.rules.filter((rule) => coversClass(rule, changeClass) && matchesFinding(rule, subject));
  const trusted = strictest(ofClass.filter((rule) => rule.match?.tags === undefined));
  const base: StepApproval = trusted
    ? { mode: trusted.mode, changeClass, ruleId: trusted.id, why: `rule ${trusted.id} (${changeClass}, ${describeMatch(trusted)}): ${trusted.mode}` }
    : defaultOf(policy, changeClass);
  const tagged = strictest(ofClass.filter((rule) => rule.match?.tags !== undefined && matchesTags(rule.match.tags, subject.tags)));
  if (!tagged || !stricter(tagged.mode, base.mode)) return base;
  return {
    mode: tagged.mode,
    changeClass,
    ruleId: tagged.id,
    why: `rule ${tagged.id} (${changeClass}, ${describeMatch(tagged)}): ${tagged.mode}, stricter than ${base.mode} (${base.ruleId === 'default' ? 'the default' : `rule ${base.ruleId}`}); tags only ever tighten the policy`,
  };
}

function defaultOf(policy: ApprovalConfig, changeClass: ChangeClass): StepApproval {
  const configured = policy.defaults[changeClass];
  const builtIn = BUILT_IN_DEFAULT_MODES[changeClass];
  const why = configured
    ? `no rule matches: the default for ${changeClass} (approval.defaults): ${configured}`
    : builtIn
      ? `no rule matches and approval.defaults names no mode for ${changeClass}: its built-in default, ${builtIn}`
      : `no rule matches and approval.defaults names no mode for ${changeClass}: auto`;
  return { mode: configured ?? builtIn ?? 'auto', changeClass, ruleId: 'default', why };
}
