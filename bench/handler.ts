import { DescribeSecurityGroupsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Report } from '../lambda/plan/document';
import type { PlaybookName } from '../lambda/routing/playbook-names';
import { RESPONDER_GROUP_FILTERS } from '../lambda/playbooks/contain-instance/discovery/read-security-groups';
import { PURPOSE_TAG } from '../lambda/playbooks/contain-instance/names';
import { EMULATOR_CONFIG_OVERRIDES } from '../emulator/runtime-config';

/*
 * The playbooks' real Lambda handlers, in this process, configured the way
 * the stack configures them (environment variables), with every AWS call
 * sent through the one client seam to AWS_ENDPOINT_URL: the latency proxy.
 */

export const HOME_ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

type Handler = (event: unknown, context: { invokedFunctionArn: string }) => Promise<Report | Report[]>;

export interface HandlerEnvironment {
  readonly endpoint: string;
  readonly topicArn: string;
  /** IR_LEDGER_TABLE: the incident ledger in HOME_ACCOUNT, as the stack sets it; absent: no ledger, no brake. */
  readonly ledgerTableName?: string;
  /** Merged into IR_RUNTIME_CONFIG (whose mode is enforce), e.g. the brake's limit. */
  readonly runtimeConfig?: Record<string, unknown>;
  /**
   * The finding is confirmed with GuardDuty before anything changes, as the stack's default is: the proxy's
   * GuardDuty stand-in must hold it (bench/guardduty-stand-in.ts). Absent or false: off, as every emulator run
   * has it (emulator/runtime-config.ts), for the parts of the benchmark that hold no findings.
   */
  readonly confirmFindings?: boolean;
}

/** What the Lambda gets from the stack, pointed at the proxy; the emulator's test credentials act in HOME_ACCOUNT. */
export function lambdaEnvironment(playbook: PlaybookName, env: HandlerEnvironment): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: env.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    IR_PLAYBOOK: playbook,
    // The emulator has no GuardDuty findings API: confirmation on only where the bench holds its findings in the proxy's
    // stand-in. The emulator's other gaps (Security Hub's note, GuardDuty's archive) stay declared either way.
    IR_RUNTIME_CONFIG: JSON.stringify({ mode: 'enforce', ...EMULATOR_CONFIG_OVERRIDES, ...(env.confirmFindings ? { confirmFindings: true } : {}), ...env.runtimeConfig }),
    IR_TOPIC_ARN: env.topicArn,
    // Always set, so that a handler loaded earlier without a ledger runs without one, not with the last table.
    IR_LEDGER_TABLE: env.ledgerTableName ?? '',
    IR_PROTECTED_ROLE_NAMES: 'GuardDutyIncidentResponse-ContainInstanceRole',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export function functionContext(playbook: PlaybookName): { invokedFunctionArn: string } {
  return { invokedFunctionArn: `arn:aws:lambda:${REGION}:${HOME_ACCOUNT}:function:bench-${playbook}` };
}

/** The contain-instance handler, loaded after its environment is set (the logger reads it at load). */
export async function containInstanceHandler(env: HandlerEnvironment): Promise<Handler> {
  Object.assign(process.env, lambdaEnvironment('contain-instance', env));
  const module = (await import('../lambda/handlers/contain-instance')) as { handler: Handler };
  return module.handler;
}

export function single(result: Report | Report[]): Report {
  if (Array.isArray(result)) throw new Error(`expected one report, got ${result.length}`);
  return result;
}

export function failedOf(report: Report): string[] {
  return [...report.reads, ...report.steps].filter((o) => o.status === 'failed').map((o) => `${o.id}: ${o.error?.code} ${o.error?.message}`);
}

export interface ResponderGroupIds {
  readonly untrack: string;
  readonly isolation: string;
}

/** The responder's two groups in `vpcId`, read straight from the emulator. */
export async function responderGroupIds(ec2: EC2Client, vpcId: string): Promise<ResponderGroupIds> {
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [...RESPONDER_GROUP_FILTERS, { Name: 'vpc-id', Values: [vpcId] }] }),
  );
  const idOf = (purpose: string) => {
    const ids = SecurityGroups.filter((g) => g.Tags?.some((t) => t.Key === PURPOSE_TAG && t.Value === purpose)).map((g) => g.GroupId ?? '');
    if (ids.length !== 1) throw new Error(`expected one ${purpose} group in ${vpcId}, found ${ids.length}`);
    return ids[0]!;
  };
  return { untrack: idOf('untrack'), isolation: idOf('isolation') };
}
