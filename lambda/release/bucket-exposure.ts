import type { RecordedPublicAccessBlock } from '../ledger/restore-record';
import { PUBLIC_GRANTEES } from '../playbooks/block-public-access/facts';
import { untrusted } from '../text/untrusted';

/*
 * What becomes effective again when `ir release --bucket` puts the recorded
 * block back. The recorded block is usually the attacker's (the finding is
 * often BucketBlockPublicAccessDisabled), and the response never changed the
 * bucket policy or ACL: so the release re-opens exactly what made the bucket
 * public, unless someone removed it since. The release plan names it, from
 * the exposure block-public-access recorded (bucketExposure: the policy
 * status and the ACL grants as discovery read them), so the person releasing
 * sees it before, not after.
 */

interface RecordedExposure {
  readonly policyIsPublic: boolean | null;
  readonly aclGrants: readonly { readonly grantee: string; readonly permission: string }[] | null;
}

function parseExposure(text: string | undefined): RecordedExposure | null {
  if (text === undefined) return null;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const grants = Array.isArray(value.aclGrants)
      ? value.aclGrants.flatMap((g: unknown) => {
          const grant = g as Record<string, unknown> | null;
          return grant && typeof grant.grantee === 'string' && typeof grant.permission === 'string' ? [{ grantee: grant.grantee, permission: grant.permission }] : [];
        })
      : null;
    return { policyIsPublic: typeof value.policyIsPublic === 'boolean' ? value.policyIsPublic : null, aclGrants: grants };
  } catch {
    return null;
  }
}

/**
 * The warnings for a release that puts `restored` back on `bucket` (null:
 * the bucket's own block is removed, and only the account's setting, not
 * read here, stands between the public and the bucket).
 */
export function reopenedExposureWarnings(bucket: string, restored: RecordedPublicAccessBlock | null, bucketExposure: string | undefined, recordedAt: string | undefined): string[] {
  const name = untrusted(bucket);
  const when = recordedAt ? ` at ${untrusted(recordedAt)}` : '';
  const unlessAccount = restored === null ? " (unless the account's own Block Public Access setting blocks it)" : '';
  const exposure = parseExposure(bucketExposure);
  if (!exposure) {
    return [`the restore record holds no readable exposure of bucket ${name}: what made it public is not known here. Check its bucket policy and ACL before the release: they apply again once the block is lifted.`];
  }
  const said: string[] = [];
  // RestrictPublicBuckets is what stops a public policy from granting access; BlockPublicPolicy only refuses new ones.
  if (exposure.policyIsPublic === true && !restored?.RestrictPublicBuckets) {
    said.push(`its bucket policy, public when the response recorded it${when} (GetBucketPolicyStatus IsPublic), grants public access again${unlessAccount}`);
  }
  const publicGrants = (exposure.aclGrants ?? []).filter((g) => PUBLIC_GRANTEES.includes(g.grantee));
  if (publicGrants.length > 0 && !restored?.IgnorePublicAcls) {
    said.push(`its ACL grants ${publicGrants.map((g) => `${untrusted(g.permission)} to ${untrusted(g.grantee)}`).join(', ')} (recorded${when}) apply again${unlessAccount}`);
  }
  if (said.length === 0) return [];
  return [
    `RELEASE MAKES BUCKET ${name} PUBLIC AGAIN: ${said.join('; ')}. The response never changed the policy or the ACL; remove what is not wanted before releasing (the record shows them as they were${when}; they may have changed since).`,
  ];
}
