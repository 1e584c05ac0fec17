import { requestAction, signingServiceOf, type RequestLine } from '../../../bench/request-action';

/* The action the latency proxy records for each protocol the playbooks' clients speak. */

const scope = (service: string) => `AWS4-HMAC-SHA256 Credential=testing/20261207/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

function line(service: string, overrides: Partial<RequestLine>): RequestLine {
  return { method: 'POST', url: '/', authorization: scope(service), target: undefined, formAction: undefined, ...overrides };
}

test('the service is the credential scope\'s signing name', () => {
  expect(signingServiceOf(scope('elasticloadbalancing'))).toBe('elasticloadbalancing');
  expect(signingServiceOf('')).toBe('');
});

test('a JSON protocol request is named by its X-Amz-Target operation', () => {
  expect(requestAction(line('ecs', { target: 'AmazonEC2ContainerServiceV20141113.StopTask' }))).toBe('ecs:StopTask');
  expect(requestAction(line('dynamodb', { target: 'DynamoDB_20120810.UpdateItem' }))).toBe('dynamodb:UpdateItem');
});

test('a query protocol request is named by its Action form field', () => {
  expect(requestAction(line('ec2', { formAction: 'ModifyNetworkInterfaceAttribute' }))).toBe('ec2:ModifyNetworkInterfaceAttribute');
  expect(requestAction(line('rds', { formAction: 'CreateDBSnapshot' }))).toBe('rds:CreateDBSnapshot');
});

test('S3 REST requests get the IAM action, not the API name (PutPublicAccessBlock is s3:PutBucketPublicAccessBlock)', () => {
  expect(requestAction(line('s3', { method: 'PUT', url: '/customer-uploads-demo?publicAccessBlock' }))).toBe('s3:PutBucketPublicAccessBlock');
  expect(requestAction(line('s3', { method: 'GET', url: '/customer-uploads-demo?publicAccessBlock' }))).toBe('s3:GetBucketPublicAccessBlock');
  expect(requestAction(line('s3', { method: 'GET', url: '/customer-uploads-demo?policyStatus' }))).toBe('s3:GetBucketPolicyStatus');
  expect(requestAction(line('s3', { method: 'GET', url: '/customer-uploads-demo?acl' }))).toBe('s3:GetBucketAcl');
  expect(requestAction(line('s3', { method: 'PUT', url: '/b/uploads/a.pdf?tagging' }))).toBe('s3:PutObjectTagging');
  expect(requestAction(line('s3', { method: 'PUT', url: '/b/uploads/a.pdf?tagging&versionId=3' }))).toBe('s3:PutObjectVersionTagging');
  expect(requestAction(line('s3', { method: 'PUT', url: '/b?tagging' }))).toBe('s3:PutBucketTagging');
  expect(requestAction(line('s3', { method: 'PUT', url: '/evidence/incidents/x.json?x-id=PutObject' }))).toBe('s3:PutObject');
});

test('Lambda REST requests are named by their path', () => {
  expect(requestAction(line('lambda', { method: 'PUT', url: '/2017-10-31/functions/invoice-renderer/concurrency' }))).toBe('lambda:PutFunctionConcurrency');
  expect(requestAction(line('lambda', { method: 'GET', url: '/2015-03-31/functions/invoice-renderer' }))).toBe('lambda:GetFunction');
  expect(requestAction(line('lambda', { method: 'GET', url: '/2015-03-31/functions/invoice-renderer/configuration' }))).toBe('lambda:GetFunctionConfiguration');
  expect(requestAction(line('lambda', { method: 'GET', url: '/2017-03-31/tags/arn%3Aaws%3Alambda' }))).toBe('lambda:ListTags');
});

test('a REST request not known here keeps its method and path: never taken for a declared action', () => {
  expect(requestAction(line('lambda', { method: 'POST', url: '/2015-03-31/functions/f/invocations' }))).toBe('lambda:POST /2015-03-31/functions/f/invocations');
  expect(requestAction(line('s3', { method: 'POST', url: '/b?delete' }))).toBe('s3:POST /b');
});
