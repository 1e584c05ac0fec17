import type { SentCall, Service } from './faulty-clients';

/*
 * The five faults of the matrix, each as the service in question really
 * raises it. The SDK's query protocols (EC2, IAM, Auto Scaling, ELBv2, SNS,
 * STS) throw an error whose name is the modelled exception class (or the
 * wire code when the service does not model it), with the wire code in
 * `Code` and the HTTP status in `$metadata`; JSON protocols (CloudTrail)
 * name the error by its type and carry no `Code`. A socket timeout comes
 * from the HTTP handler, not from AWS: an Error named TimeoutError and no
 * status.
 */

export type FaultKind = 'throttling' | 'server-error' | 'access-denied' | 'not-found' | 'timeout';

export interface InjectedError {
  /** The code the report must show. */
  readonly code: string;
  readonly error: Error;
}

export interface Fault {
  readonly kind: FaultKind;
  /** Whether a later attempt can succeed: what the report's error.retryable and the retry decision must say. */
  readonly retryable: boolean;
  readonly errorFor: (call: SentCall) => InjectedError;
}

interface WireError {
  readonly code: string;
  /** The exception class the SDK models it with; the code itself when unmodelled. */
  readonly name?: string;
  readonly status: number;
}

const JSON_PROTOCOL: ReadonlySet<Service> = new Set(['cloudtrail', 'dynamodb', 'guardduty', 'securityhub', 'scheduler', 'lambda', 'ecs', 'backup']);

function serviceError(service: Service, wire: WireError): InjectedError {
  const error = Object.assign(new Error(`${wire.code} (injected by the fault matrix)`), {
    name: wire.name ?? wire.code,
    ...(JSON_PROTOCOL.has(service) ? {} : { Code: wire.code }),
    $fault: wire.status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: wire.status, requestId: 'fault-matrix-request', attempts: 1, totalRetryDelay: 0 },
  });
  return { code: wire.code, error };
}

type PerService = Readonly<Record<Service, WireError>>;

const THROTTLING: PerService = {
  ec2: { code: 'RequestLimitExceeded', status: 503 },
  iam: { code: 'Throttling', status: 400 },
  autoscaling: { code: 'Throttling', status: 400 },
  elasticloadbalancing: { code: 'Throttling', status: 400 },
  // SNS models it: ThrottledException, wire code "Throttled", HTTP 429.
  sns: { code: 'Throttled', name: 'ThrottledException', status: 429 },
  sts: { code: 'Throttling', status: 400 },
  cloudtrail: { code: 'ThrottlingException', status: 400 },
  dynamodb: { code: 'ThrottlingException', status: 400 },
  s3: { code: 'SlowDown', status: 503 },
  guardduty: { code: 'TooManyRequestsException', status: 429 },
  securityhub: { code: 'LimitExceededException', status: 429 },
  scheduler: { code: 'ThrottlingException', status: 429 },
  lambda: { code: 'TooManyRequestsException', status: 429 },
  ecs: { code: 'ThrottlingException', status: 400 },
  rds: { code: 'Throttling', status: 400 },
  backup: { code: 'ThrottlingException', status: 400 },
};

const SERVER_ERROR: PerService = {
  ec2: { code: 'InternalError', status: 500 },
  iam: { code: 'ServiceFailure', name: 'ServiceFailureException', status: 500 },
  autoscaling: { code: 'InternalFailure', status: 500 },
  elasticloadbalancing: { code: 'ServiceUnavailable', status: 503 },
  sns: { code: 'InternalError', name: 'InternalErrorException', status: 500 },
  sts: { code: 'ServiceUnavailable', status: 503 },
  cloudtrail: { code: 'ServiceUnavailable', status: 503 },
  dynamodb: { code: 'InternalServerError', status: 500 },
  s3: { code: 'InternalError', status: 500 },
  guardduty: { code: 'InternalServerErrorException', status: 500 },
  securityhub: { code: 'InternalException', status: 500 },
  scheduler: { code: 'InternalServerException', status: 500 },
  lambda: { code: 'ServiceException', status: 500 },
  ecs: { code: 'ServerException', status: 500 },
  rds: { code: 'InternalFailure', status: 500 },
  backup: { code: 'ServiceUnavailableException', status: 500 },
};

const ACCESS_DENIED: PerService = {
  ec2: { code: 'UnauthorizedOperation', status: 403 },
  iam: { code: 'AccessDenied', status: 403 },
  autoscaling: { code: 'AccessDenied', status: 403 },
  elasticloadbalancing: { code: 'AccessDenied', status: 403 },
  sns: { code: 'AuthorizationError', name: 'AuthorizationErrorException', status: 403 },
  sts: { code: 'AccessDenied', status: 403 },
  cloudtrail: { code: 'AccessDeniedException', status: 400 },
  dynamodb: { code: 'AccessDeniedException', status: 400 },
  s3: { code: 'AccessDenied', status: 403 },
  guardduty: { code: 'AccessDeniedException', status: 403 },
  securityhub: { code: 'AccessDeniedException', status: 403 },
  scheduler: { code: 'AccessDeniedException', status: 403 },
  lambda: { code: 'AccessDeniedException', status: 403 },
  ecs: { code: 'AccessDeniedException', status: 400 },
  rds: { code: 'AccessDenied', status: 403 },
  backup: { code: 'AccessDeniedException', status: 403 },
};

/** EC2 names the resource it could not find; the request says which one the call is about. First match wins. */
const EC2_NOT_FOUND: readonly (readonly [(call: SentCall, input: Record<string, unknown>) => boolean, string])[] = [
  [(_, input) => 'NetworkInterfaceId' in input, 'InvalidNetworkInterfaceID.NotFound'],
  [(call, input) => 'GroupId' in input || call.action === 'DescribeSecurityGroups', 'InvalidGroup.NotFound'],
  [(call, input) => 'AssociationId' in input || call.action === 'DescribeIamInstanceProfileAssociations', 'InvalidAssociationID.NotFound'],
  [(call) => call.action === 'CreateSecurityGroup', 'InvalidVpcID.NotFound'],
  [(call) => call.action === 'DescribeSnapshots', 'InvalidSnapshot.NotFound'],
];

function ec2NotFound(call: SentCall): WireError {
  const input = call.input as Record<string, unknown>;
  const code = EC2_NOT_FOUND.find(([applies]) => applies(call, input))?.[1] ?? 'InvalidInstanceID.NotFound';
  return { code, status: 400 };
}

function notFound(call: SentCall): WireError {
  switch (call.service) {
    case 'ec2':
      return ec2NotFound(call);
    case 'iam':
      return { code: 'NoSuchEntity', name: 'NoSuchEntityException', status: 404 };
    case 'autoscaling':
      // Auto Scaling says "AutoScalingGroup name not found" with a ValidationError.
      return { code: 'ValidationError', status: 400 };
    case 'elasticloadbalancing':
      return { code: 'TargetGroupNotFound', name: 'TargetGroupNotFoundException', status: 400 };
    case 'sns':
      return { code: 'NotFound', name: 'NotFoundException', status: 404 };
    case 'sts':
      return { code: 'InvalidIdentityToken', status: 400 };
    case 's3':
      return { code: 'NoSuchBucket', name: 'NoSuchBucket', status: 404 };
    case 'guardduty':
      // GuardDuty answers an unknown detector id with a BadRequestException.
      return { code: 'BadRequestException', status: 400 };
    case 'securityhub':
      return { code: 'ResourceNotFoundException', status: 404 };
    case 'scheduler':
    case 'lambda':
    case 'backup':
      return { code: 'ResourceNotFoundException', status: 404 };
    case 'rds':
      return { code: 'DBInstanceNotFound', name: 'DBInstanceNotFoundFault', status: 404 };
    case 'cloudtrail':
    case 'dynamodb':
      return { code: 'ResourceNotFoundException', status: 400 };
    case 'ecs':
      // ECS names an unknown cluster with ClusterNotFoundException.
      return { code: 'ClusterNotFoundException', status: 400 };
  }
}

function socketTimeout(): InjectedError {
  const error = Object.assign(
    new Error('@smithy/node-http-handler - the request socket timed out after 5000 ms of inactivity (configured by client requestHandler).'),
    { name: 'TimeoutError', $metadata: { attempts: 1, totalRetryDelay: 0 } },
  );
  return { code: 'TimeoutError', error };
}

export const FAULTS: readonly Fault[] = [
  { kind: 'throttling', retryable: true, errorFor: (call) => serviceError(call.service, THROTTLING[call.service]) },
  { kind: 'server-error', retryable: true, errorFor: (call) => serviceError(call.service, SERVER_ERROR[call.service]) },
  { kind: 'access-denied', retryable: false, errorFor: (call) => serviceError(call.service, ACCESS_DENIED[call.service]) },
  { kind: 'not-found', retryable: false, errorFor: (call) => serviceError(call.service, notFound(call)) },
  { kind: 'timeout', retryable: true, errorFor: () => socketTimeout() },
];
