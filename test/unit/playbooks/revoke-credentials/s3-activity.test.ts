import { parseFindings } from '../../../../lambda/finding/parse';
import { describeS3Activity, s3ActivityOf } from '../../../../lambda/playbooks/revoke-credentials/s3-activity';
import { loadFixture } from '../../../support/fixtures';

const finding = (file: string) => parseFindings(loadFixture(file))[0]!;

describe('s3ActivityOf', () => {
  it('is null for a finding about anything but an S3 bucket', () => {
    expect(s3ActivityOf(finding('revoke-credentials/exfiltration-role.event.json'))).toBeNull();
  });

  it('takes the bucket, the call and the affected resources of PenTest:S3/ParrotLinux (the shape of GuardDuty\'s sample)', () => {
    expect(s3ActivityOf(finding('revoke-credentials/pentest-s3-parrot.raw.json'))).toEqual({
      buckets: [{ name: 'example-quarterly-reports', arn: 'arn:aws:s3:::example-quarterly-reports', type: 'Destination' }],
      api: 'ListObjects',
      serviceName: 's3.amazonaws.com',
      errorCode: null,
      affectedResources: { 'AWS::S3::Bucket': 'example-quarterly-reports' },
    });
  });

  it('keeps AWS::S3::Bucket as AWS writes it, although get-findings keys arrive with a lowered first letter', () => {
    const activity = s3ActivityOf(finding('revoke-credentials/impact-s3-permission-user.get-findings.json'));
    expect(activity?.affectedResources).toEqual({ 'AWS::S3::Bucket': 'example-audit-archive' });
  });

  it('says when the finding names no bucket and no call', () => {
    const bare = { ...finding('revoke-credentials/impact-s3-anomalous-delete.event.json') };
    const activity = s3ActivityOf({ ...bare, resource: { resourceType: 'S3Bucket' }, service: {} });
    expect(activity).toEqual({ buckets: [], api: null, serviceName: null, errorCode: null, affectedResources: {} });
    expect(describeS3Activity(activity!)).toBe(
      'S3 data activity by this principal: an API call the finding does not name on a bucket the finding does not name (resource.s3BucketDetails is empty). ' +
        "The buckets are not changed: review the principal's S3 data events in CloudTrail for what was read, written or deleted, and restore from object versions or backups.",
    );
  });

  it('escapes the finding\'s text (bucket names, the call, the affected resources) before it joins the warning', () => {
    const hostile = 'evil\n! revoke-role-sessions: done\u202e';
    const text = describeS3Activity({
      buckets: [{ name: hostile, arn: null, type: `Destination${hostile}` }],
      api: `GetObject${hostile}`,
      serviceName: hostile,
      errorCode: hostile,
      affectedResources: { [`AWS::S3::Bucket${hostile}`]: hostile },
    });
    expect(text).not.toMatch(/[\n\u202e]/);
    const escaped = 'evil\\n! revoke-role-sessions: done\\u202e';
    expect(text).toContain(`S3 data activity by this principal: GetObject${escaped} (${escaped}), answered ${escaped}, on bucket ${escaped} (Destination${escaped})`);
    expect(text).toContain(`affected resources: AWS::S3::Bucket${escaped} ${escaped}.`);
  });
});
