import fc from 'fast-check';
import { LINE_LIMIT, safeJson, safeLine, safePaintedLine, safeSubject, untrusted, VALUE_LIMIT } from '../../../lambda/text/untrusted';

// Every character that could break a line, reorder it or hide in it.
const DANGEROUS = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  '\u007f', '\u0085', '\u009b', '\u00ad', '\u061c', '\u180e',
  '\u200b', '\u200c', '\u200d', '\u200e', '\u200f',
  '\u2028', '\u2029', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
  '\u2060', '\u2066', '\u2067', '\u2068', '\u2069', '\ufeff',
];
const DANGEROUS_RE = new RegExp(`[${DANGEROUS.map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`);

/** Strings made mostly of the characters that matter here. */
const hostile = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: fc.constantFrom(...DANGEROUS, 'a', 'DONE', '[', ' ', '\\', 'é', '😀'), maxLength: 400 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
);

describe('untrusted', () => {
  it('writes line breaks, controls, bidi and zero-width characters out visibly', () => {
    expect(untrusted('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(untrusted('x\u2028y\u2029z\u0085w')).toBe('x\\u2028y\\u2029z\\u0085w');
    expect(untrusted('\u202eexe.txt')).toBe('\\u202eexe.txt');
    expect(untrusted('\u2066a\u2069 \u200bb\ufeff')).toBe('\\u2066a\\u2069 \\u200bb\\ufeff');
    expect(untrusted('\u001b[31mred')).toBe('\\u001b[31mred');
    expect(untrusted('plain text: i-0a1b, é, 😀')).toBe('plain text: i-0a1b, é, 😀');
  });

  it('cuts a long value and says how many characters were cut', () => {
    const out = untrusted('x'.repeat(1000));
    expect(out.length).toBeLessThanOrEqual(VALUE_LIMIT);
    expect(out).toMatch(/^x+\.\.\.\[(\d+) more characters\]$/);
    const cut = Number(/\[(\d+) more/.exec(out)![1]);
    expect(out.indexOf('...')).toBe(1000 - cut);
  });

  it('never cuts inside an escape it wrote', () => {
    for (let pad = 0; pad < 12; pad += 1) {
      const out = untrusted(`${'a'.repeat(230 + pad)}${'\u2028'.repeat(20)}`);
      expect(out).toMatch(/^a+(\\u2028)*\.\.\.\[\d+ more characters\]$/);
    }
  });

  it('for any input: no dangerous character left, within the bound, and idempotent', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 40, max: 600 }), (value, limit) => {
        const out = untrusted(value, limit);
        expect(out).not.toMatch(DANGEROUS_RE);
        expect(out.length).toBeLessThanOrEqual(limit);
        expect(untrusted(out, limit)).toBe(out);
      }),
    );
  });

  it('shows numbers, null and objects as text', () => {
    expect(untrusted(8)).toBe('8');
    expect(untrusted(null)).toBe('null');
    expect(untrusted(undefined)).toBe('undefined');
    expect(untrusted({ a: '\n' })).toBe('{"a":"\\n"}');
  });
});

describe('safeLine and safePaintedLine', () => {
  it('a line holds no break and is bounded, whatever it holds', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        for (const line of [safeLine(`${a}${b}`.repeat(8)), safePaintedLine(`${a}${b}`.repeat(8))]) {
          expect(line).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
          expect(line.length).toBeLessThanOrEqual(LINE_LIMIT);
        }
      }),
    );
  });

  it('keeps our own colours (ESC) in a painted line, and nothing else', () => {
    expect(safePaintedLine('\u001b[1mbold\u001b[22m\u2028x')).toBe('\u001b[1mbold\u001b[22m\\u2028x');
  });
});

describe('safeSubject', () => {
  it('is printable ASCII, without a line break, under 100 characters and not starting with a space, for any input', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const subject = safeSubject(`[GuardDuty IR DONE] contain-instance: ${value}`);
        expect(subject).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
        expect(subject.length).toBeLessThan(100);
        expect(subject.startsWith('[GuardDuty IR DONE] contain-instance: ')).toBe(true);
      }),
    );
    fc.assert(
      fc.property(hostile, (value) => {
        expect(safeSubject(value)).toMatch(/^[\x21-\x7e][\x20-\x7e]{0,98}$/);
      }),
    );
  });
});

describe('safeJson', () => {
  it('is the same JSON value, with the characters a viewer would break or reorder on escaped', () => {
    fc.assert(
      fc.property(fc.dictionary(hostile, fc.oneof(hostile, fc.array(hostile, { maxLength: 3 }))), (value) => {
        const text = safeJson(value, 2);
        expect(JSON.parse(text)).toEqual(value);
        // Only the indentation's own line breaks are left.
        for (const line of text.split('\n')) expect(line).not.toMatch(DANGEROUS_RE);
      }),
    );
    expect(safeJson({ title: 'a\u2028b\u202ec' })).toBe('{"title":"a\\u2028b\\u202ec"}');
  });
});
