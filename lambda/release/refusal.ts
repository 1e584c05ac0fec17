import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from '../aws/clients';
import type { ReadLog } from '../plan/reads';
import { keepReleaseEvidence, type ReleaseEvidenceTarget } from './evidence';
import { READ_OPERATOR } from './specs';

/*
 * What every `ir release` does the same way, whatever it releases: learn who
 * releases (recorded with the release, and the account the record is keyed
 * by), and the report of a release refused before any change.
 */

/** The caller's identity: who releases, in which account. */
export function readReleaser(reads: ReadLog, clients: Pick<AwsClients, 'sts'>) {
  return reads.read(READ_OPERATOR, 'Who releases (recorded with the release)', 'sts', () => clients.sts.send(new GetCallerIdentityCommand({})));
}

/** The parts of a refused release's report every release shares: why, its reads, and no evidence (nothing changed). */
export async function refusedReleaseParts(refused: string, reads: ReadLog, evidence: ReleaseEvidenceTarget) {
  return {
    refused,
    warnings: [] as string[],
    reads: reads.outcomes,
    evidence: await keepReleaseEvidence({ ...evidence, skip: 'the release was refused: nothing was changed, nothing to keep' }, '(none)', () => null),
  };
}
