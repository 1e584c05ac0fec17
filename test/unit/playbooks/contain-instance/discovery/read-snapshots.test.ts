import { readEvidenceSnapshots } from '../../../../../lambda/playbooks/contain-instance/discovery/read-snapshots';
import { ReadLog } from '../../../../../lambda/plan/reads';
import { FINDING_ID } from '../../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';

const h = useContainHarness();

describe('readEvidenceSnapshots', () => {
  it('filters on the exact finding id', async () => {
    await readEvidenceSnapshots(h.clients, new ReadLog(), FINDING_ID);
    expect(h.callsOf('DescribeSnapshots')).toEqual([{ OwnerIds: ['self'], Filters: [{ Name: 'tag:ir:finding-id', Values: [FINDING_ID] }] }]);
  });

  it.each(['*', '?', 'a*', '../x', 'a,b', 'a b'])(
    'never sends %j as a filter value (it would match other incidents\' snapshots): unknown, so the snapshots are taken',
    async (findingId) => {
      const reads = new ReadLog();
      expect(await readEvidenceSnapshots(h.clients, reads, findingId)).toEqual({
        known: false,
        why: 'not looked up: the finding id is not a safe DescribeSnapshots filter value',
      });
      expect(h.callsOf('DescribeSnapshots')).toEqual([]);
      expect(reads.outcomes).toEqual([]);
    },
  );
});
