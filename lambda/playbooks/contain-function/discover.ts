import {
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListProvisionedConcurrencyConfigsCommand,
  ListTagsCommand,
  type ProvisionedConcurrencyConfigListItem,
  type FunctionConfiguration as SdkFunctionConfiguration,
  type GetFunctionConfigurationCommandOutput,
} from '@aws-sdk/client-lambda';
import type { AwsClients } from '../../aws/clients';
import type { Finding } from '../../finding/schema';
import type { ReadLog, ReadResult } from '../../plan/reads';
import { NOT_READ, type ContainFunctionFacts, type FunctionConfiguration, type Lookup, type ProvisionedConcurrency } from './facts';
import { READ_FUNCTION_CONCURRENCY, READ_FUNCTION_CONFIGURATION, READ_FUNCTION_TAGS, READ_PROVISIONED_CONCURRENCY } from './specs';
import { functionTargetOf, parseFunctionArn } from '../../finding/lambda-function';

/** Lambda's code for a function (or version) that does not exist; emulators may send the bare name. */
const MISSING_CODES = new Set(['ResourceNotFoundException', 'ResourceNotFound']);

/** Stands for every environment variable value in the evidence: the values often hold secrets and are never kept. */
export const VALUE_NOT_KEPT = '(value not kept)';

function lookupOf<T, V>(result: ReadResult<T>, toValue: (value: T) => V): Lookup<V> {
  if (result.ok) return { state: 'found', value: toValue(result.value) };
  return MISSING_CODES.has(result.error.code) ? { state: 'missing', error: result.error } : { state: 'failed', error: result.error };
}

/**
 * The answer of GetFunctionConfiguration as the read log keeps it (the
 * incident's describe.json): every environment variable's value replaced,
 * before anything else sees the answer.
 */
export function withoutEnvironmentValues<T extends SdkFunctionConfiguration>(answer: T): T {
  const variables = answer.Environment?.Variables;
  if (!variables) return answer;
  const names = Object.fromEntries(Object.keys(variables).map((name) => [name, VALUE_NOT_KEPT]));
  return { ...answer, Environment: { ...answer.Environment, Variables: names } };
}

export function configurationOf(answer: SdkFunctionConfiguration): FunctionConfiguration {
  const vpc = answer.VpcConfig;
  const hasVpc = Boolean(vpc?.VpcId) || (vpc?.SubnetIds?.length ?? 0) > 0;
  return {
    functionArn: answer.FunctionArn ?? null,
    functionName: answer.FunctionName ?? null,
    version: answer.Version ?? null,
    codeSha256: answer.CodeSha256 ?? null,
    codeSize: answer.CodeSize ?? null,
    revisionId: answer.RevisionId ?? null,
    lastModified: answer.LastModified ?? null,
    runtime: answer.Runtime ?? null,
    packageType: answer.PackageType ?? null,
    handler: answer.Handler ?? null,
    state: answer.State ?? null,
    role: answer.Role ?? null,
    vpc: hasVpc ? { vpcId: vpc?.VpcId ?? null, subnetIds: [...(vpc?.SubnetIds ?? [])], securityGroupIds: [...(vpc?.SecurityGroupIds ?? [])] } : null,
    environmentVariableNames: Object.keys(answer.Environment?.Variables ?? {}).sort(),
  };
}

/** The function's ARN without a qualifier, from Lambda's own answer (ListTags takes only that). */
function unqualifiedArn(configuration: FunctionConfiguration): string | undefined {
  const parsed = configuration.functionArn ? parseFunctionArn(configuration.functionArn) : undefined;
  return parsed ? `arn:${parsed.partition}:lambda:${parsed.region}:${parsed.accountId}:function:${parsed.functionName}` : undefined;
}

async function readConfiguration(clients: AwsClients, reads: ReadLog, functionName: string, qualifier?: string): Promise<Lookup<FunctionConfiguration>> {
  const lambda = await clients.load('lambda');
  const label = qualifier ? `${functionName}:${qualifier}` : functionName;
  const read = await reads.read(READ_FUNCTION_CONFIGURATION, `Read the configuration of Lambda function ${label}`, `function/${label}`, async () =>
    withoutEnvironmentValues<GetFunctionConfigurationCommandOutput>(
      await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}) })),
    ),
  );
  // An answer that names no function (as for a function Lambda does not hold) is treated as none: nothing to verify, nothing to act on.
  if (read.ok && !read.value.FunctionArn) {
    return { state: 'missing', error: { code: 'FunctionNotInAnswer', message: 'GetFunctionConfiguration answered without a function', retryable: false } };
  }
  return lookupOf(read, configurationOf);
}

/** Every provisioned concurrency configuration of the function (all its versions and aliases), page by page. */
async function readProvisioned(lambda: LambdaClient, reads: ReadLog, functionName: string): Promise<Lookup<readonly ProvisionedConcurrency[]>> {
  const read = await reads.read(READ_PROVISIONED_CONCURRENCY, `Read the provisioned concurrency of Lambda function ${functionName}`, `function/${functionName}`, async () => {
    const items: ProvisionedConcurrencyConfigListItem[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }));
      items.push(...(page.ProvisionedConcurrencyConfigs ?? []));
      marker = page.NextMarker;
    } while (marker);
    return items;
  });
  return lookupOf(read, (items) =>
    items.map((item) => ({
      qualifier: item.FunctionArn?.split(':')[7] ?? '(unknown)',
      requested: item.RequestedProvisionedConcurrentExecutions ?? 0,
      allocated: item.AllocatedProvisionedConcurrentExecutions ?? null,
      status: item.Status ?? null,
    })),
  );
}

/**
 * Reads, in the finding's account and region, the function the finding
 * names: its configuration first (it exists here, and its ARN), then its
 * reserved and provisioned concurrency, its tags and the configuration of
 * the version the finding names, together.
 */
export async function discoverContainFunctionFacts(finding: Finding, clients: AwsClients, reads: ReadLog): Promise<ContainFunctionFacts> {
  const parsed = functionTargetOf(finding);
  if (!parsed.ok) return { kind: 'unverified', why: parsed.why };
  const { target } = parsed;
  const { functionName } = target;
  const configuration = await readConfiguration(clients, reads, functionName);
  // A function that is gone, or could not be read, has nothing more to read: the plan says which.
  if (configuration.state !== 'found') return { kind: 'function', target, configuration, versionConfiguration: null, reservedConcurrency: NOT_READ, provisionedConcurrency: NOT_READ, tags: NOT_READ };
  const lambda = await clients.load('lambda');
  const arn = unqualifiedArn(configuration.value);
  const published = target.version !== null && target.version !== '$LATEST' ? target.version : null;
  const [concurrency, provisionedConcurrency, tags, versionConfiguration] = await Promise.all([
    reads.read(READ_FUNCTION_CONCURRENCY, `Read the reserved concurrency of Lambda function ${functionName}`, `function/${functionName}`, () =>
      lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName })),
    ),
    readProvisioned(lambda, reads, functionName),
    arn
      ? reads.read(READ_FUNCTION_TAGS, `Read the tags of Lambda function ${functionName}`, `function/${functionName}`, () => lambda.send(new ListTagsCommand({ Resource: arn })))
      : Promise.resolve<ReadResult<{ Tags?: Record<string, string> }>>({
          ok: false,
          error: { code: 'UnexpectedFunctionArn', message: 'Lambda answered with a function ARN that does not parse', retryable: false },
        }),
    published ? readConfiguration(clients, reads, functionName, published) : Promise.resolve(null),
  ]);
  return {
    kind: 'function',
    target,
    configuration,
    versionConfiguration,
    reservedConcurrency: lookupOf(concurrency, (out) => out.ReservedConcurrentExecutions ?? null),
    provisionedConcurrency,
    tags: lookupOf(tags, (out) => ({ ...(out.Tags ?? {}) })),
  };
}
