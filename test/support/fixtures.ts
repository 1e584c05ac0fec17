import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';

export const FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'findings');
/**
 * The project's shared real findings: `shared/` beside the checkout (as the
 * team and CI lay it out), or a level or two further up for a clone made
 * inside another folder. The first of those that exists; else the first.
 */
function sharedFindingsDir(): string {
  const candidates = [1, 2, 3].map((up) => join(__dirname, '..', '..', ...Array<string>(up).fill('..'), 'shared', 'findings'));
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

export const SHARED_FINDINGS_DIR = sharedFindingsDir();

export interface FixtureFile {
  readonly name: string;
  readonly path: string;
  readonly expectedPlaybook: PlaybookName;
  readonly json: unknown;
}

/** Every fixture, with the playbook its folder names. */
export function loadFixtures(): FixtureFile[] {
  return PLAYBOOK_NAMES.flatMap((playbook) =>
    readdirSync(join(FIXTURES_DIR, playbook))
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => {
        const path = join(FIXTURES_DIR, playbook, file);
        return { name: `${playbook}/${file}`, path, expectedPlaybook: playbook, json: JSON.parse(readFileSync(path, 'utf8')) as unknown };
      }),
  );
}

export function loadFixture(relative: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, relative), 'utf8')) as unknown;
}
