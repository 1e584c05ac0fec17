import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';

export const FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'findings');

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
