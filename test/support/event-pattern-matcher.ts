/*
 * A small EventBridge pattern evaluator for the operators our compiled
 * patterns use (exact, prefix, anything-but with a list or a wildcard list,
 * exists, $or). It lets unit tests check every finding against every
 * pattern without an AWS account; the integration tests check the same
 * patterns in the emulator's EventBridge.
 */

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      source += pattern[i + 1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i += 1;
    } else if (c === '*') source += '.*';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function matchesMatcher(value: Json, present: boolean, matcher: Json): boolean {
  if (!isObject(matcher)) return present && value === matcher;
  const [[name, arg]] = Object.entries(matcher) as [[string, Json]];
  if (name === 'exists') return present === arg;
  if (!present) return false;
  if (name === 'prefix') return typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
  if (name === 'wildcard') {
    const patterns = Array.isArray(arg) ? arg : [arg];
    return typeof value === 'string' && patterns.some((p) => typeof p === 'string' && wildcardToRegExp(p).test(value));
  }
  if (name === 'anything-but') {
    if (Array.isArray(arg)) return !arg.includes(value);
    if (isObject(arg)) return !matchesMatcher(value, present, arg);
    return value !== arg;
  }
  throw new Error(`operator ${name} is not supported by the test matcher`);
}

function matchesNode(event: Json, pattern: Record<string, Json>): boolean {
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === '$or') return (sub as Record<string, Json>[]).some((branch) => matchesNode(event, branch));
    const present = isObject(event) && key in event && event[key] !== undefined;
    const value = present ? (event as Record<string, Json>)[key] : undefined;
    if (Array.isArray(sub)) return sub.some((m) => matchesMatcher(value, present, m));
    if (isObject(sub)) return matchesNode(present ? value : {}, sub);
    throw new Error(`bad pattern node at ${key}`);
  });
}

export function eventMatchesPattern(event: Json, pattern: Record<string, Json>): boolean {
  return matchesNode(event, pattern);
}
