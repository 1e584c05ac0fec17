import { PLAYBOOKS } from '../../lambda/playbooks/registry';
import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';
import { ACCESS_LOG_PREFIX } from '../../lib/evidence-bucket';
import { EVIDENCE_BUCKET_OUTPUT } from '../../lib/stack-outputs';
import { acknowledgements, nagFindings } from './support/nag';
import { synthesize, type Synthesized } from './support/synth';
import { asList, environmentOf, getAtt, logicalIdAtPath, props, ref, resourcesOfType, roleIdOf, statementsOfRole, type Statement } from './support/template-queries';

/*
 * The evidence bucket as deployed: one synth with cdk-nag (the default
 * configuration), one with the evidence settings changed, to prove they
 * come from the configuration.
 */

let synth: Synthesized;
let configured: Synthesized;
let bucketId: string;
let keyId: string;
let logsId: string;

beforeAll(() => {
  synth = synthesize({ nag: true });
  configured = synthesize({ context: { incidentResponse: { evidence: { retentionDays: 2555, glacierAfterDays: 90 } } } });
  const stack = synth.stack.node.path;
  bucketId = logicalIdAtPath(synth.template, `${stack}/Evidence/Bucket/Resource`);
  keyId = logicalIdAtPath(synth.template, `${stack}/Evidence/Key/Resource`);
  logsId = logicalIdAtPath(synth.template, `${stack}/Evidence/AccessLogs/Resource`);
});

function bucketPolicyOf(synthesized: Synthesized, bucket: string): Statement[] {
  const policies = Object.values(resourcesOfType(synthesized.template, 'AWS::S3::BucketPolicy')).filter((p) => JSON.stringify(props(p).Bucket) === JSON.stringify(ref(bucket)));
  expect(policies).toHaveLength(1);
  return asList((props(policies[0]!).PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('the evidence bucket', () => {
  it('is versioned, with Object Lock on and a default retention of 365 days in GOVERNANCE mode', () => {
    const bucket = props(resourcesOfType(synth.template, 'AWS::S3::Bucket')[bucketId]!);
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.ObjectLockEnabled).toBe(true);
    expect(bucket.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } });
  });

  it('takes the retention and the Glacier transition from the configuration', () => {
    const id = logicalIdAtPath(configured.template, `${configured.stack.node.path}/Evidence/Bucket/Resource`);
    const bucket = props(resourcesOfType(configured.template, 'AWS::S3::Bucket')[id]!);
    expect(bucket.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2555 } } });
    expect(bucket.LifecycleConfiguration).toMatchObject({
      Rules: [{ Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }], NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }] }],
    });
  });

  it('is encrypted with its own KMS key (bucket key on), which rotates and is kept with the bucket', () => {
    const bucket = props(resourcesOfType(synth.template, 'AWS::S3::Bucket')[bucketId]!);
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: getAtt(keyId) }, BucketKeyEnabled: true }],
    });
    const key = resourcesOfType(synth.template, 'AWS::KMS::Key')[keyId]!;
    expect(props(key).EnableKeyRotation).toBe(true);
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('blocks every kind of public access and disables ACLs', () => {
    const bucket = props(resourcesOfType(synth.template, 'AWS::S3::Bucket')[bucketId]!);
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('refuses any request without TLS, or with TLS older than 1.2', () => {
    const denies = bucketPolicyOf(synth, bucketId).filter((s) => s.Effect === 'Deny');
    const objects = { 'Fn::Join': ['', [getAtt(bucketId), '/*']] };
    expect(denies).toEqual([
      expect.objectContaining({ Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: [getAtt(bucketId), objects] }),
      expect.objectContaining({ Action: 's3:*', Principal: { AWS: '*' }, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } }, Resource: [getAtt(bucketId), objects] }),
    ]);
  });

  it('moves incident evidence, current and earlier versions, to Glacier after 30 days', () => {
    const bucket = props(resourcesOfType(synth.template, 'AWS::S3::Bucket')[bucketId]!);
    expect(bucket.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'evidence-to-glacier',
          Prefix: 'incidents/',
          Status: 'Enabled',
          Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 30 }],
          NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER', TransitionInDays: 30 }],
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
  });

  it('is kept when the stack is deleted or the bucket replaced', () => {
    expect(resourcesOfType(synth.template, 'AWS::S3::Bucket')[bucketId]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('logs every access to a private, TLS-only log bucket that only S3 log delivery of this bucket may write', () => {
    const bucket = props(resourcesOfType(synth.template, 'AWS::S3::Bucket')[bucketId]!);
    expect(bucket.LoggingConfiguration).toEqual({ DestinationBucketName: ref(logsId), LogFilePrefix: ACCESS_LOG_PREFIX });
    const logs = resourcesOfType(synth.template, 'AWS::S3::Bucket')[logsId]!;
    expect(props(logs).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(props(logs).LifecycleConfiguration).toEqual({ Rules: [{ Id: 'expire-access-logs', ExpirationInDays: synth.config.logRetentionDays, Status: 'Enabled' }] });
    expect(logs).toMatchObject({ DeletionPolicy: 'Retain' });
    const statements = bucketPolicyOf(synth, logsId);
    expect(statements.filter((s) => s.Effect === 'Deny').map((s) => Object.keys(s.Condition as object))).toEqual([['Bool'], ['NumericLessThan']]);
    const delivery = statements.filter((s) => s.Effect === 'Allow');
    expect(delivery).toEqual([
      expect.objectContaining({
        Action: 's3:PutObject',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Condition: { ArnLike: { 'aws:SourceArn': getAtt(bucketId) }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
  });

  it('is named in the outputs and in every playbook’s environment, with its key', () => {
    expect(synth.template.toJSON().Outputs[EVIDENCE_BUCKET_OUTPUT]).toMatchObject({ Value: ref(bucketId) });
    for (const playbook of PLAYBOOK_NAMES) {
      expect(environmentOf(synth.template, playbook)).toMatchObject({ IR_EVIDENCE_BUCKET: ref(bucketId), IR_EVIDENCE_KEY_ARN: getAtt(keyId) });
    }
  });

  it('lets every playbook write only under incidents/, and use its key only to encrypt', () => {
    for (const playbook of PLAYBOOK_NAMES) {
      const statements = statementsOfRole(synth.template, roleIdOf(synth.template, playbook));
      // quarantine-object's copy mode (and answer-sequence, which runs it) may put an object only as a copy (x-amz-copy-source present).
      const copyOnly = (s: (typeof statements)[number]) => JSON.stringify(s.Condition ?? {}).includes('"s3:x-amz-copy-source":"false"');
      const puts = statements.filter((s) => asList(s.Action).includes('s3:PutObject'));
      expect(puts.filter((s) => !copyOnly(s)).map((s) => [asList(s.Action), s.Resource])).toEqual([[['s3:PutObject'], { 'Fn::Join': ['', [getAtt(bucketId), '/incidents/*']] }]]);
      const copies = puts.filter((s) => s.Effect === 'Allow' && copyOnly(s));
      expect(copies.length > 0).toBe(['quarantine-object', 'answer-sequence'].includes(playbook));
      for (const copy of copies) expect(copy.Condition).toMatchObject({ Null: { 's3:x-amz-copy-source': 'false' } });
      const usingKey = statements.filter((s) => JSON.stringify(s.Resource).includes(keyId));
      expect(usingKey.map((s) => asList(s.Action))).toEqual([['kms:GenerateDataKey']]);
      // The S3 playbooks' own bucket and object calls are granted in the role's own account (test/cdk/s3-playbooks.test.ts), never s3:PutObject.
      const own = new Set<string>(PLAYBOOKS[playbook].stepSpecs.flatMap((spec) => spec.iamActions));
      expect(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('s3:') && !own.has(a))).toEqual(own.has('s3:PutObject') ? [] : ['s3:PutObject']);
    }
  });

  it('passes cdk-nag with no acknowledgement of its own', () => {
    const evidencePath = `${synth.stack.node.path}/Evidence/`;
    expect(nagFindings(synth.app)).toEqual([]);
    expect(acknowledgements(synth.app).filter((ack) => ack.path.startsWith(evidencePath))).toEqual([]);
  });
});
