import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../lambda/config/schema';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import { ACCOUNT_ID, INSTANCE_ID, PRIMARY_ENI, PROFILE_ARN, VPC_A } from './contain-world';

export const FINDING_ID = '5eb1d2b54911b95b06b1c423bd5c0a11';
export const CRYPTO_TYPE = 'CryptoCurrency:EC2/BitcoinTool.B';
export const DNS_REBIND_TYPE = 'UnauthorizedAccess:EC2/MetadataDNSRebind';
export const NOW = new Date('2026-11-22T08:00:00.000Z');

export interface FindingOptions {
  readonly type?: string;
  readonly instanceId?: string | null;
  readonly instanceState?: string;
  readonly tags?: Record<string, string>;
}

/** A raw camelCase finding about the test instance, validated by the real parser. */
export function containFinding(options: FindingOptions = {}): Finding {
  const instanceId = options.instanceId === undefined ? INSTANCE_ID : options.instanceId;
  const tags = options.tags ?? { Name: 'web-01', env: 'prod' };
  const [finding] = parseFindings({
    schemaVersion: '2.0',
    accountId: ACCOUNT_ID,
    region: 'us-east-1',
    partition: 'aws',
    id: FINDING_ID,
    type: options.type ?? CRYPTO_TYPE,
    severity: 8,
    resource: {
      resourceType: 'Instance',
      instanceDetails: {
        ...(instanceId ? { instanceId } : {}),
        instanceState: options.instanceState ?? 'running',
        iamInstanceProfile: { arn: PROFILE_ARN, id: 'AIPA0EXAMPLE0PROFILE1' },
        networkInterfaces: [
          {
            networkInterfaceId: PRIMARY_ENI,
            vpcId: VPC_A,
            subnetId: 'subnet-0aa11bb22cc33dd44',
            securityGroups: [
              { groupId: 'sg-0web000000000001', groupName: 'web' },
              { groupId: 'sg-0ssh000000000001', groupName: 'ssh' },
            ],
          },
        ],
        tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
      },
    },
    service: { archived: false, resourceRole: 'TARGET', count: 1 },
  });
  return finding!;
}

/**
 * The Security Hub note is on by default (lambda/close-loop/); tests about
 * something else switch it off so their step lists stay theirs. Its own
 * tests are test/unit/close-loop/.
 */
export const WITHOUT_SECURITY_HUB_NOTE = { securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } } as const satisfies Partial<RuntimeConfig>;

export function enforceConfig(overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', ...overrides };
}

export const RESPONDER = { protectedRoleNames: ['guardduty-ir-contain-instance-role'] };
