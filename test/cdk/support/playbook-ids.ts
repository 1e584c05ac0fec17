import { pascalCase } from '../../../lib/naming';
import type { PlaybookName } from '../../../lambda/routing/playbook-names';

/**
 * The start of a playbook function's logical id: `<Playbook>/Function` becomes `<Playbook>Function<hash>`, except that
 * CDK drops a path component that repeats the end of the one before it, so contain-function's is `ContainFunction<hash>`.
 */
export function playbookFunctionIdPrefix(playbook: PlaybookName): string {
  const pascal = pascalCase(playbook);
  return pascal.endsWith('Function') ? pascal : `${pascal}Function`;
}
