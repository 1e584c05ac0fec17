/*
 * The links of the project's Markdown documents, and the anchors each
 * document offers, as GitHub renders them: enough to check that every
 * relative link of README.md and docs/ reaches a file of the repository
 * (and a heading of it) after documents are moved or renamed.
 */

export interface MarkdownLink {
  readonly line: number;
  readonly target: string;
}

/**
 * The lines outside fenced code blocks (commands and JSON, not prose). Inline code is dropped where
 * links are sought (`[x](y)` in code is not a link) and kept as text for headings (GitHub's ids include it).
 */
function proseLines(markdown: string, inlineCode: 'drop' | 'keep-text'): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    if (fenced) return '';
    return inlineCode === 'drop' ? line.replace(/`[^`]*`/g, '') : line.replace(/`/g, '');
  });
}

export function markdownLinks(markdown: string): MarkdownLink[] {
  return proseLines(markdown, 'drop').flatMap((text, index) =>
    [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => ({ line: index + 1, target: match[1] ?? '' })),
  );
}

/** GitHub's heading ids: lower case, punctuation dropped (not - or _), each space a hyphen, repeats numbered. */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown, 'keep-text')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = (heading[1] ?? '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  }
  return anchors;
}
