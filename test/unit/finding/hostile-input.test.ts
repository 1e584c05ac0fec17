import fc from 'fast-check';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { FindingInputError } from '../../../lambda/finding/errors';
import { parseFindings, parseFindingsText } from '../../../lambda/finding/parse';
import { preparePlan } from '../../../lambda/respond/respond';
import { loadFixtures } from '../../support/fixtures';

/*
 * Whatever arrives, the parser either returns validated findings or throws a
 * FindingInputError; a finding that validates always gets a plan; input
 * that fails validation never reaches planning.
 */

function parseOrInputError(input: unknown): ReturnType<typeof parseFindings> | FindingInputError {
  try {
    return parseFindings(input);
  } catch (error) {
    if (error instanceof FindingInputError) return error;
    throw error;
  }
}

const fixtures = loadFixtures().map((f) => f.json);

/** Replaces one random leaf of a real finding with a hostile value. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || typeof value !== 'object' || value === null) return replacement;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return replacement;
  const [key, inner] = entries[path[0]! % entries.length]!;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  (copy as Record<string, unknown>)[key] = mutate(inner, path.slice(1), replacement);
  return copy;
}

const hostile = fc.oneof(
  fc.anything(),
  fc.string({ maxLength: 20000 }),
  fc.constantFrom("'; DROP TABLE findings; --", '$(rm -rf /)', '<script>alert(1)</script>', '../../etc/passwd', '\u0000\u202e', 'i-99999999', '*'),
  fc.double(),
  fc.constant(null),
);

describe('hostile and broken input', () => {
  it('any JSON value: a typed error or findings, never anything else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseOrInputError(value);
        expect(result instanceof FindingInputError || Array.isArray(result)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('any text: a typed error or findings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        try {
          parseFindingsText(text);
        } catch (error) {
          expect(error).toBeInstanceOf(FindingInputError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('truncated findings: a typed error or findings', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), fc.double({ min: 0, max: 1, noNaN: true }), (fixture, fraction) => {
        const text = JSON.stringify(fixture);
        try {
          parseFindingsText(text.slice(0, Math.floor(text.length * fraction)));
        } catch (error) {
          expect(error).toBeInstanceOf(FindingInputError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('real findings with one field replaced by hostile values: valid ones are planned offline without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fixtures), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), hostile, async (fixture, path, replacement) => {
        const result = parseOrInputError(mutate(fixture, path, replacement));
        if (result instanceof FindingInputError) {
          expect(result.message.length).toBeGreaterThan(0);
          expect(result.message).not.toContain('\n');
          return;
        }
        for (const finding of result) {
          const { document } = await preparePlan(finding, { config: DEFAULT_RUNTIME_CONFIG, dryRun: true, responder: { protectedRoleNames: [] } });
          expect(document.findingId).toBe(finding.id);
          expect(document.blockedBy).toContain('dry-run');
          // Every plan ends with the notification and the evidence (one skipped step: no bucket here).
          expect(document.steps.slice(-2).map((s) => s.id)).toEqual(['notify', 'evidence']);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
