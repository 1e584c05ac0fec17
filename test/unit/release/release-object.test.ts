import { releasedTagSet, restoreCopyStep, restoreTagsStep } from '../../../lambda/release/object';

/*
 * `ir release --object`'s plan, pure: the tags a tag-mode release writes
 * back, and the exact requests of both releases (the emulator runs them:
 * test/integration/quarantine-object-copy.test.ts).
 */

const OBJECT = { bucket: 'uploads-prod', key: 'incoming/a b.exe', versionId: 'v1', accountId: '222222222222' };

describe('releasedTagSet', () => {
  it('puts the recorded tags back (one left out to make room included), keeps tags added since, drops the quarantine tag', () => {
    const recorded = Array.from({ length: 10 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    const now = [...recorded.slice(0, 9), { Key: 'ir:quarantine', Value: 'quarantined' }];
    expect(releasedTagSet(now, recorded, 'ir:quarantine')).toEqual([{ Key: 'k9', Value: 'v9' }, ...recorded.slice(0, 9)]);
    expect(releasedTagSet([{ Key: 'ir:quarantine', Value: 'quarantined' }, { Key: 'owner', Value: 'x' }], [{ Key: 'owner', Value: 'y' }], 'ir:quarantine')).toEqual([{ Key: 'owner', Value: 'x' }]);
  });

  it('refuses (null) more than the 10 tags S3 allows', () => {
    const recorded = Array.from({ length: 10 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const now = [{ Key: 'new', Value: 'n' }, { Key: 'ir:quarantine', Value: 'quarantined' }];
    expect(releasedTagSet(now, recorded, 'ir:quarantine')).toBeNull();
  });
});

describe('the release steps', () => {
  it('tag mode: PutObjectTagging of that version, ExpectedBucketOwner', () => {
    const step = restoreTagsStep(OBJECT, [{ Key: 'owner', Value: 'x' }], 'ir:quarantine');
    expect([step.id, step.action, step.parameters]).toEqual([
      'remove-quarantine-tag',
      's3:PutObjectVersionTagging',
      { Bucket: 'uploads-prod', Key: 'incoming/a b.exe', VersionId: 'v1', ExpectedBucketOwner: '222222222222', Tagging: { TagSet: [{ Key: 'owner', Value: 'x' }] } },
    ]);
  });

  it('copy mode: CopyObject of the quarantine copy\'s version back under the key, both owners named, the recorded tags', () => {
    const step = restoreCopyStep(OBJECT, { bucket: 'ir-quarantine-222222222222-us-east-1', key: 'uploads-prod/v1/incoming/a b.exe', versionId: 'c1' }, [{ Key: 'uploaded by', Value: 'portal&co' }]);
    expect([step.id, step.action, step.parameters]).toEqual([
      'restore-object-copy',
      's3:PutObject',
      {
        Bucket: 'uploads-prod',
        Key: 'incoming/a b.exe',
        CopySource: 'ir-quarantine-222222222222-us-east-1/uploads-prod/v1/incoming/a%20b.exe?versionId=c1',
        ExpectedBucketOwner: '222222222222',
        ExpectedSourceBucketOwner: '222222222222',
        MetadataDirective: 'REPLACE',
        Metadata: { 'ir-restored-from-version-id': 'v1' },
        TaggingDirective: 'REPLACE',
        Tagging: 'uploaded%20by=portal%26co',
      },
    ]);
  });
});
