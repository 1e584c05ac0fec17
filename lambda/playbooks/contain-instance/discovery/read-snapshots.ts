import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../../aws/clients';
import { FINDING_ID } from '../../../finding/ids';
import type { ReadLog } from '../../../plan/reads';
import { known, unknown, type Known } from '../facts';
import { FINDING_ID_TAG } from '../names';
import { READ_EVIDENCE_SNAPSHOTS } from '../specs';
import { collectPages } from './pages';

/** Snapshots an earlier delivery of the same finding already took. */
export async function readEvidenceSnapshots(clients: AwsClients, reads: ReadLog, findingId: string): Promise<Known<readonly string[]>> {
  // The id is a filter value, where * and ? are wildcards: the parser refuses such an id, and this read never sends one
  // (it would find another incident's snapshots and skip this one's). Unknown means the snapshots are taken.
  if (!FINDING_ID.test(findingId)) return unknown('not looked up: the finding id is not a safe DescribeSnapshots filter value');
  const result = await reads.read(READ_EVIDENCE_SNAPSHOTS, 'Find snapshots already taken for this finding', findingId, () =>
    collectPages(
      (NextToken) =>
        clients.ec2.send(
          new DescribeSnapshotsCommand({
            OwnerIds: ['self'],
            Filters: [{ Name: `tag:${FINDING_ID_TAG}`, Values: [findingId] }],
            ...(NextToken ? { NextToken } : {}),
          }),
        ),
      (page) => page.Snapshots,
      (page) => page.NextToken,
    ),
  );
  if (!result.ok) return unknown(`DescribeSnapshots failed (${result.error.code})`);
  return known(result.value.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : [])).sort());
}
