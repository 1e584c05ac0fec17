/*
 * The IAM-style action (`ec2:CreateTags`, `s3:PutBucketPublicAccessBlock`) of
 * a request the latency proxy sees, so that the benchmark can tell which
 * recorded call is the one a playbook's step declares. JSON protocols name
 * the operation in X-Amz-Target, query protocols in the Action form field;
 * the REST services the playbooks change (S3, Lambda) name it in the method,
 * path and query, of which only the few the playbooks call are known here.
 * The service is the signing name of the request's credential scope.
 */

export interface RequestLine {
  readonly method: string;
  /** Path and query, as the request line has it (path-style S3: /bucket/key?subresource). */
  readonly url: string;
  readonly authorization: string;
  readonly target: string | undefined;
  /** The Action form field of a query-protocol request. */
  readonly formAction: string | undefined;
}

/** `…/20261207/us-east-1/ec2/aws4_request` → `ec2`. */
export function signingServiceOf(authorization: string): string {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization)?.[1] ?? '';
}

/** S3 (path-style: the benchmark's clients address the emulator so): the subresource and whether a key is named decide the operation. */
function s3Operation(method: string, path: string, query: URLSearchParams): string | undefined {
  const segments = path.split('/').filter(Boolean);
  const onObject = segments.length > 1;
  if (query.has('publicAccessBlock')) return { GET: 'GetBucketPublicAccessBlock', PUT: 'PutBucketPublicAccessBlock', DELETE: 'DeleteBucketPublicAccessBlock' }[method];
  if (query.has('policyStatus') && method === 'GET') return 'GetBucketPolicyStatus';
  if (query.has('acl') && method === 'GET') return onObject ? 'GetObjectAcl' : 'GetBucketAcl';
  if (query.has('tagging')) {
    const versioned = onObject && query.has('versionId') ? 'Version' : '';
    const verb = { GET: 'Get', PUT: 'Put', DELETE: 'Delete' }[method];
    return verb ? `${verb}${onObject ? `Object${versioned}` : 'Bucket'}Tagging` : undefined;
  }
  if (query.has('versioning') && method === 'GET') return 'GetBucketVersioning';
  if (onObject && [...query.keys()].every((key) => key === 'versionId' || key === 'x-id')) {
    return { GET: 'GetObject', PUT: 'PutObject', HEAD: 'GetObject', DELETE: 'DeleteObject' }[method];
  }
  return undefined;
}

/** Lambda's REST paths: /<api-version>/functions/<name>[/<what>]. */
function lambdaOperation(method: string, path: string): string | undefined {
  const match = /^\/[0-9-]+\/functions\/[^/]+(?:\/([a-z-]+))?\/?$/.exec(path);
  if (!match) return undefined;
  const what = match[1];
  if (what === 'concurrency') return { PUT: 'PutFunctionConcurrency', DELETE: 'DeleteFunctionConcurrency', GET: 'GetFunctionConcurrency' }[method];
  if (what === 'configuration' && method === 'GET') return 'GetFunctionConfiguration';
  if (what === undefined && method === 'GET') return 'GetFunction';
  return undefined;
}

/** Tags of any Lambda resource: /<api-version>/tags/<arn>. */
function lambdaTagsOperation(method: string, path: string): string | undefined {
  if (!/^\/[0-9-]+\/tags\//.test(path)) return undefined;
  return { GET: 'ListTags', POST: 'TagResource', DELETE: 'UntagResource' }[method];
}

/**
 * `service:Operation`; `service:METHOD /path` for a REST request not known
 * here (never a declared action, so never mistaken for one).
 */
export function requestAction(request: RequestLine): string {
  const service = signingServiceOf(request.authorization);
  if (request.target !== undefined) return `${service}:${request.target.slice(request.target.lastIndexOf('.') + 1)}`;
  if (request.formAction !== undefined) return `${service}:${request.formAction}`;
  const url = new URL(request.url, 'http://proxy.invalid');
  const method = request.method.toUpperCase();
  const operation =
    service === 's3' ? s3Operation(method, url.pathname, url.searchParams) : service === 'lambda' ? (lambdaOperation(method, url.pathname) ?? lambdaTagsOperation(method, url.pathname)) : undefined;
  // The S3 client names some operations itself in x-id (GetObject, PutObject): the API name, not always the IAM one.
  return `${service}:${operation ?? url.searchParams.get('x-id') ?? `${method} ${url.pathname}`}`;
}
