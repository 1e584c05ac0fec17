/** `Backdoor:EC2/*` matches by prefix; anything else must be equal. */
export function typeMatches(pattern: string, type: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

export function typeMatchesAny(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => typeMatches(pattern, type));
}
