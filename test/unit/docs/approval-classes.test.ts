import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_IN_DEFAULT_MODES, CHANGE_CLASSES } from '../../../lambda/approval/types';

/*
 * The class table of docs/configuration.md (## approval) is what operators write their policy from: it must list
 * every class the code knows, each with the mode it has when approval.defaults names none (`auto`, or the built-in
 * default of lambda/approval/types.ts), and nothing else.
 */

const ROOT = join(__dirname, '..', '..', '..');

function classTable(): Map<string, string> {
  const text = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const start = text.indexOf('| Class | Default | The steps of that class |');
  expect(start).toBeGreaterThanOrEqual(0);
  const rows = text.slice(start).split('\n').slice(2);
  const table = new Map<string, string>();
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [, cls = '', mode = ''] = row.split('|').map((cell) => cell.trim());
    table.set(cls.replace(/`/g, ''), mode.replace(/[`*]/g, ''));
  }
  return table;
}

describe('the approval class table of docs/configuration.md', () => {
  it('lists every change class once, with its default mode, and no other', () => {
    const expected = new Map(CHANGE_CLASSES.map((c) => [c, BUILT_IN_DEFAULT_MODES[c] ?? 'auto']));
    expect(classTable()).toEqual(expected);
  });

  it("README's Approval section counts the classes, names both built-in approve defaults, links the table, and gives operators both actions", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Approval'), readme.indexOf('\n## ', readme.indexOf('## Approval') + 1));
    expect(section).toContain(`each of the ${CHANGE_CLASSES.length} classes of change`);
    for (const c of Object.keys(BUILT_IN_DEFAULT_MODES)) expect(section).toContain(`\`${c}\``);
    expect(section).toContain('(docs/configuration.md#approval)');
    expect(section).toContain('`lambda:InvokeFunctionUrl` and `lambda:InvokeFunction` conditioned on `lambda:InvokedViaFunctionUrl`');
  });
});
