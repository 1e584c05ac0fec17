import fc from 'fast-check';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { FindingInputError } from '../../../lambda/finding/errors';
import { parseFindings } from '../../../lambda/finding/parse';
import { preparePlan } from '../../../lambda/respond/respond';
import { loadFixture } from '../../support/fixtures';

/*
 * Hostile values where a playbook would take them as names: the resource
 * type that decides the route, and the instance tags that decide the exempt
 * guard and end up in reports. Whatever they hold, an unknown resource type
 * is never acted on, and tags never widen what a plan touches.
 */

interface EventShape {
  detail: { type: string; resource: { resourceType: string; instanceDetails: { instanceId: string; tags: { key: string; value: string }[] } } };
}

const crypto = loadFixture('contain-instance/crypto-bitcoin-tool.event.json') as EventShape;
const INSTANCE_ID = crypto.detail.resource.instanceDetails.instanceId;
const KNOWN_RESOURCE_TYPES = new Set(['Instance', 'AccessKey']);

const injection = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.constantFrom("'; DROP TABLE x; --", '$(curl 127.0.0.1)', '`id`', '<img src=x onerror=alert(1)>', '{{7*7}}', '${jndi:ldap://x}', '\r\nSubject: spoofed', '\u202eexe.txt', 'ir:exempt'),
);

function withResource(resourceType: string, type: string, tags: { key: string; value: string }[]): unknown {
  const copy = structuredClone(crypto);
  copy.detail.type = type;
  copy.detail.resource.resourceType = resourceType;
  copy.detail.resource.instanceDetails.tags = tags;
  return copy;
}

function findingsOf(input: unknown) {
  try {
    return parseFindings(input);
  } catch (error) {
    if (error instanceof FindingInputError) return [];
    throw error;
  }
}

// The Security Hub note (on by default) is a change to Security Hub, not to the resource: these tests are about the resource.
const enforce = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' as const, securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } };

describe('hostile resource types and tags', () => {
  it('an unknown resource type is only reported, whatever the finding type says', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 60 }).filter((t) => !KNOWN_RESOURCE_TYPES.has(t)),
        fc.constantFrom('CryptoCurrency:EC2/BitcoinTool.B', 'Backdoor:EC2/C&CActivity.B', 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'Impact:EC2/WinRMBruteForce'),
        async (resourceType, type) => {
          for (const finding of findingsOf(withResource(resourceType, type, []))) {
            const { document } = await preparePlan(finding, { config: enforce, dryRun: false, responder: { protectedRoleNames: [] } });
            expect(document.playbook).toBe('notify');
            expect(document.steps.filter((s) => s.mutating)).toEqual([]);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('tag keys and values full of injection attempts never change what a plan touches, and the exempt tag still exempts', async () => {
    const touched = async (tags: { key: string; value: string }[]) => {
      const [finding] = findingsOf(withResource('Instance', 'CryptoCurrency:EC2/BitcoinTool.B', tags));
      const { document } = await preparePlan(finding!, { config: enforce, dryRun: false, responder: { protectedRoleNames: [] } });
      return document.steps.filter((s) => s.mutating).map((s) => [s.id, s.action, s.target]);
    };
    const untagged = await touched([]);
    expect(untagged.map(([, , target]) => target)).toContain(INSTANCE_ID);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ key: injection, value: injection }), { maxLength: 8 }), fc.boolean(), async (tags, exempt) => {
        const allTags = exempt ? [...tags, { key: DEFAULT_RUNTIME_CONFIG.exemptTagKey, value: 'yes' }] : tags;
        for (const finding of findingsOf(withResource('Instance', 'CryptoCurrency:EC2/BitcoinTool.B', allTags))) {
          const { document } = await preparePlan(finding, { config: enforce, dryRun: false, responder: { protectedRoleNames: [] } });
          expect(document.playbook).toBe('contain-instance');
          expect(document.steps.filter((s) => s.mutating).map((s) => [s.id, s.action, s.target])).toEqual(untagged);
          const exemptByTags = allTags.some((t) => t.key === DEFAULT_RUNTIME_CONFIG.exemptTagKey);
          expect(document.blockedBy.includes('exempt-tag')).toBe(exemptByTags);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
