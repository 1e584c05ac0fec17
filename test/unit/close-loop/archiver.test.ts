import { ArchiveFindingsCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { archiveGuardDutyFinding } from '../../../lambda/close-loop/archiver';
import { mockGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * The archive's own choice of detector (lambda/close-loop/archiver.ts, the
 * rule in lambda/confirm/detector.ts), on its own: with the confirmation off
 * (or on a fresh client), the archive is the first to meet a stale
 * configured id. GuardDuty mocked: moto has no ArchiveFindings.
 */

const CURRENT = '12abc34d567e8fa901bc2d34e56789f0';
const STALE = '99ffee88ddcc77bbaa66554433221100';
const FINDING = '5eb1d2b54911b95b06b1c423bd5c0a11';
const guardDuty = mockGuardDuty();
afterAll(() => guardDuty.restore());

const fail = (name: string, status: number) => Object.assign(new Error(`${name} from the mock`), { name, $metadata: { httpStatusCode: status } });
const sent = () => guardDuty.calls().map((call) => [(call.args[0] as object).constructor.name.replace(/Command$/, ''), call.args[0].input]);
const archiveIn = (detectorId: string) => ['ArchiveFindings', { DetectorId: detectorId, FindingIds: [FINDING] }];
const client = () => new GuardDutyClient({ region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 's' } });

/** GuardDuty's detector is CURRENT: ArchiveFindings refuses any other id as GuardDuty does (BadRequestException). */
beforeEach(() => {
  guardDuty.reset();
  guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [CURRENT] });
  guardDuty.on(ArchiveFindingsCommand).callsFake((input: { DetectorId?: string }) =>
    input.DetectorId === CURRENT ? Promise.resolve({}) : Promise.reject(fail('BadRequestException', 400)),
  );
});

it('configured, in the stack’s region: ArchiveFindings at once', async () => {
  await expect(archiveGuardDutyFinding({ guardDuty: client(), region: 'us-east-1', findingId: FINDING, configured: { id: CURRENT, region: 'us-east-1' } })).resolves.toEqual({ detectorId: CURRENT });
  expect(sent()).toEqual([archiveIn(CURRENT)]);
});

it('configured for another region: ListDetectors first', async () => {
  await archiveGuardDutyFinding({ guardDuty: client(), region: 'us-east-1', findingId: FINDING, configured: { id: STALE, region: 'eu-west-1' } });
  expect(sent()).toEqual([['ListDetectors', {}], archiveIn(CURRENT)]);
});

it('a stale configured id: refused, looked up, archived in the current detector, said stale; the same client then goes straight there', async () => {
  const guardDutyClient = client();
  const configured = { id: STALE, region: 'us-east-1' };
  const archived = await archiveGuardDutyFinding({ guardDuty: guardDutyClient, region: 'us-east-1', findingId: FINDING, configured });
  expect(sent()).toEqual([archiveIn(STALE), ['ListDetectors', {}], archiveIn(CURRENT)]);
  expect(archived).toEqual({ detectorId: CURRENT, staleNote: expect.stringMatching(new RegExp(`^the configured detector id ${STALE} is stale in us-east-1 \\(GuardDuty refused it \\(BadRequestException: `)) });
  guardDuty.resetHistory();
  await archiveGuardDutyFinding({ guardDuty: guardDutyClient, region: 'us-east-1', findingId: FINDING, configured });
  expect(sent()).toEqual([archiveIn(CURRENT)]);
});

it('AccessDenied on the configured id: the failure stands, ListDetectors is not asked', async () => {
  guardDuty.on(ArchiveFindingsCommand).rejects(fail('AccessDeniedException', 403));
  await expect(archiveGuardDutyFinding({ guardDuty: client(), region: 'us-east-1', findingId: FINDING, configured: { id: CURRENT, region: 'us-east-1' } })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  expect(sent()).toEqual([archiveIn(CURRENT)]);
});

it('BadRequestException while ListDetectors names the configured id itself: the refusal stands, not archived again', async () => {
  guardDuty.on(ArchiveFindingsCommand).rejects(fail('BadRequestException', 400));
  await expect(archiveGuardDutyFinding({ guardDuty: client(), region: 'us-east-1', findingId: FINDING, configured: { id: CURRENT, region: 'us-east-1' } })).rejects.toMatchObject({ name: 'BadRequestException' });
  expect(sent()).toEqual([archiveIn(CURRENT), ['ListDetectors', {}]]);
});
