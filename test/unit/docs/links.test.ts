import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { markdownAnchors, markdownLinks } from './markdown-links';

const ROOT = join(__dirname, '..', '..', '..');

const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

function brokenLinks(document: string): string[] {
  const path = join(ROOT, document);
  const problems: string[] = [];
  for (const { line, target } of markdownLinks(readFileSync(path, 'utf8'))) {
    if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
    const [file = '', anchor] = target.split('#', 2);
    const linked = file === '' ? path : resolve(dirname(path), file);
    const name = relative(ROOT, linked);
    if (name.startsWith('..')) {
      problems.push(`${document}:${line} ${target}: outside the repository`);
      continue;
    }
    if (!existsSync(linked)) {
      problems.push(`${document}:${line} ${target}: no such file`);
      continue;
    }
    if (anchor && linked.endsWith('.md') && !markdownAnchors(readFileSync(linked, 'utf8')).has(anchor)) {
      problems.push(`${document}:${line} ${target}: no heading or anchor "${anchor}" in ${name}`);
    }
  }
  return problems;
}

describe('links of README.md and docs/', () => {
  it('covers the README and the documents it moved into docs/', () => {
    expect(documents).toEqual(expect.arrayContaining(['README.md', 'docs/design.md', 'docs/speed.md', 'docs/configuration.md', 'docs/threat-model.md']));
  });

  it.each(documents)('%s links only to files and headings that exist', (document) => {
    expect(brokenLinks(document)).toEqual([]);
  });
});

describe('markdownAnchors', () => {
  it('gives the ids GitHub gives headings, inline code and punctuation included', () => {
    const anchors = markdownAnchors(['# Speed', '## The brake: `ir brake`', '### Switching dry-run → enforce', '## Speed', '- <a id="exemptions"></a>**Exemptions**'].join('\n'));
    expect([...anchors]).toEqual(['speed', 'the-brake-ir-brake', 'switching-dry-run--enforce', 'speed-1', 'exemptions']);
  });

  it('ignores headings inside fenced code blocks', () => {
    expect(markdownAnchors(['```sh', '# a comment', '```', '## Real'].join('\n'))).toEqual(new Set(['real']));
  });
});

describe('markdownLinks', () => {
  it('finds links with their line, not those in code', () => {
    const links = markdownLinks(['see [design](docs/design.md#routing) and `[x](nope.md)`', '```', '[y](nope.md)', '```', '[z](../README.md)'].join('\n'));
    expect(links).toEqual([
      { line: 1, target: 'docs/design.md#routing' },
      { line: 5, target: '../README.md' },
    ]);
  });
});
