import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { EVIDENCE_ROOT } from '../lambda/evidence/layout';

export interface EvidenceBucketProps {
  /** Object Lock default retention (governance mode), in days. */
  readonly retentionDays: number;
  /** Days after which evidence moves to Glacier Flexible Retrieval. */
  readonly glacierAfterDays: number;
  /** How long the bucket's server access logs are kept. */
  readonly accessLogRetentionDays: number;
}

/** The server access logs of the evidence bucket land under this prefix of the log bucket. */
export const ACCESS_LOG_PREFIX = 'evidence-bucket/';

/**
 * Where each incident's evidence is kept (lambda/evidence): versioned, every
 * version locked for `retentionDays` in governance mode, encrypted with a key
 * of our own, never public, TLS only, moved to Glacier as it ages, and kept
 * when the stack is deleted. Its server access logs say who read or tried to
 * delete what.
 */
export class EvidenceBucket extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceBucketProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Let S3 log delivery in through the log bucket's policy, not the legacy LogDeliveryWrite ACL (ACLs stay disabled).
    // Set here, before the buckets exist, so the stack needs no feature flag in cdk.json.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the incident evidence of ${stack.stackName}`,
      enableKeyRotation: true,
      // Without the key the evidence is unreadable: it outlives the stack like the bucket does.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Server access logging only delivers to SSE-S3 buckets, hence not the KMS key.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      versioned: true,
      objectLockEnabled: true,
      // Governance, not compliance: a principal granted s3:BypassGovernanceRetention can still correct a mistake (docs/design.md, Evidence).
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(props.retentionDays)),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      // One data key per bucket and period instead of one KMS call per object.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: ACCESS_LOG_PREFIX,
      lifecycleRules: [
        {
          id: 'evidence-to-glacier',
          prefix: `${EVIDENCE_ROOT}/`,
          transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(props.glacierAfterDays) }],
          // Earlier deliveries of the same finding are noncurrent versions: still evidence, still locked, aged the same way.
          noncurrentVersionTransitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(props.glacierAfterDays) }],
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The objects the playbooks write: only the incidents' prefix. */
  evidenceObjectsArn(): string {
    return this.bucket.arnForObjects(`${EVIDENCE_ROOT}/*`);
  }
}
