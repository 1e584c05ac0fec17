import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import type { Finding } from '../../../../lambda/finding/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import type { Report, StepReport } from '../../../../lambda/plan/document';
import { requiredIamActions } from '../../../../lambda/playbooks/registry';
import { approvalSchema } from '../../../../lambda/approval/schema';
import { preparePlan, respond } from '../../../../lambda/respond/respond';
import { enforceConfig, RESPONDER, WITHOUT_SECURITY_HUB_NOTE } from '../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../support/aws-mocks/contain-harness';
import { INSTANCE_ID, isReadOnlyAction, ISOLATION_SG_A, PRIMARY_ENI, SECONDARY_ENI, UNTRACK_SG_A } from '../../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { givenRole, givenUser } from '../../../support/aws-mocks/revoke-iam';
import { givenQuietInvestigation } from '../../../support/aws-mocks/revoke-investigation';
import { loadFixture } from '../../../support/fixtures';

/*
 * An attack sequence through respond(), on the real SDK clients mocked at
 * the client class: the contain-instance world (test/support/aws-mocks/
 * contain-world.ts) for the instance, an IAM user for the key. Every call
 * received must be one the answer-sequence role declares.
 */

const h = useContainHarness(new Set(requiredIamActions('answer-sequence')));
const cloudTrail = mockClient(CloudTrailClient);
const guardDuty = useGuardDuty();
const NOW = new Date('2026-11-21T12:40:00.000Z');
const KEY = 'AKIA2EXAMPLEKEY00042';
const INSTANCE_ARN = `arn:aws:ec2:eu-west-1:222222222222:instance/${INSTANCE_ID}`;

type Detail = { service: { detection: { sequence: { resources: Record<string, unknown>[]; signals: Record<string, unknown>[] } } } };

/** The credentials sequence fixture (key, bucket, instance, role), changed by `edit`. */
function sequenceFinding(edit: (detail: Detail) => void = () => {}): Finding {
  const event = structuredClone(loadFixture('answer-sequence/compromised-credentials.event.json')) as { detail: Detail };
  edit(event.detail);
  return parseFindings(event)[0]!;
}

function run(finding: Finding): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, { config: enforceConfig(WITHOUT_SECURITY_HUB_NOTE), clients: h.clients, dryRun: false, responder: RESPONDER, now: () => NOW });
}

function step(report: Report, id: string): StepReport {
  const found = report.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(', ')}`);
  return found;
}

interface AnswerReport {
  readonly ref: string;
  readonly answer: string;
  readonly playbook: string | null;
  readonly reason: string;
}

const answersOf = (report: Report) => (report.resource.resources as AnswerReport[]).map((r) => [r.ref, r.answer, r.playbook]);
const reasonOf = (report: Report, ref: string) => (report.resource.resources as AnswerReport[]).find((r) => r.ref === ref)?.reason;

beforeEach(() => {
  cloudTrail.reset();
  givenUser(h.mocks.iam, { userName: 'ci-deployer', keys: [{ accessKeyId: KEY, status: 'Active' }] });
  h.mocks.iam.on(UpdateAccessKeyCommand).resolves({});
  h.mocks.iam.on(PutUserPolicyCommand).resolves({});
  givenQuietInvestigation(h.mocks.iam, cloudTrail);
});

afterAll(() => cloudTrail.restore());

describe('answer-sequence on a credentials sequence (access key, bucket, instance, role)', () => {
  it('deactivates the key, contains the instance and reports the bucket and the role, in one plan', async () => {
    const report = await run(sequenceFinding());

    expect(report.playbook).toBe('answer-sequence');
    expect(report.route.ruleId).toBe('attack-sequence-credentials');
    expect(report.blockedBy).toEqual([]);
    expect(answersOf(report)).toEqual([
      ['r1', 'answered', 'revoke-credentials'],
      ['r2', 'reported', null],
      ['r3', 'answered', 'contain-instance'],
      ['r4', 'reported', null],
    ]);
    expect(reasonOf(report, 'r2')).toBe('Exfiltration:S3/AnomalousBehavior is answered by revoking the principal that made the calls (s3-data-by-principal), never by changing the S3Bucket: the principal is answered as its own resource of the sequence, reported only');
    expect(reasonOf(report, 'r4')).toBe('no GuardDuty finding of the sequence names this resource: reported only');

    // The key: exactly revoke-credentials' calls, for the user the sequence's actor names.
    expect(h.mocks.iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'ci-deployer', AccessKeyId: KEY, Status: 'Inactive' }]);
    expect(h.mocks.iam.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input.UserName)).toEqual(['ci-deployer']);
    expect(step(report, 'r1/deactivate-access-key')).toMatchObject({ status: 'done', detail: `access key ${KEY} of ci-deployer is now Inactive` });

    // The instance: contain-instance's isolation, exactly as alone (untrack, then isolate, each ENI).
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
    expect(step(report, `r3/isolate:${PRIMARY_ENI}`)).toMatchObject({ status: 'done' });
    // A compensating step reads its own sub-plan's outcomes through the prefixed view: the ENI is isolated, nothing to restore.
    expect(step(report, `r3/restore:${PRIMARY_ENI}`)).toMatchObject({ status: 'skipped', reason: `${PRIMARY_ENI} is on the isolation group` });
    expect(h.callsOf('CreateTags').at(-1)).toMatchObject({ Resources: [INSTANCE_ID], Tags: expect.arrayContaining([{ Key: 'ir:finding-type', Value: 'CryptoCurrency:EC2/BitcoinTool.B' }]) });

    // Every step of the sequence's plan is one of a resource's, renamed under its ref, or the responder's own.
    const own = ['notify', 'evidence', 'securityhub:note'];
    expect(report.steps.filter((s) => !own.includes(s.id)).every((s) => /^r[13]\//.test(s.id))).toBe(true);
    expect(report.summary.failed).toBe(0);
    expect(report.warnings).toEqual(
      expect.arrayContaining([
        'r2 AWS::S3::Bucket arn:aws:s3:::payroll-exports: reported, not acted on: Exfiltration:S3/AnomalousBehavior is answered by revoking the principal that made the calls (s3-data-by-principal), never by changing the S3Bucket: the principal is answered as its own resource of the sequence, reported only',
      ]),
    );
  });

  it('refuses a forged resource of another account: nothing is sent for it, the others are answered', async () => {
    const forged = INSTANCE_ARN.replace('222222222222', '999999999999');
    const report = await run(
      sequenceFinding((detail) => {
        const { resources, signals } = detail.service.detection.sequence;
        resources[2] = { ...resources[2], uid: forged, accountId: '999999999999' };
        signals[1] = { ...signals[1], resourceUids: [forged] };
      }),
    );

    expect(answersOf(report)).toEqual([
      ['r1', 'answered', 'revoke-credentials'],
      ['r2', 'reported', null],
      ['r3', 'refused', null],
      ['r4', 'reported', null],
    ]);
    expect(reasonOf(report, 'r3')).toBe("it is in account 999999999999, not the finding's account 222222222222");
    expect(h.calls().filter((c) => c.service === 'ec2')).toEqual([]);
    expect(h.mocks.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
  });

  it('refuses an instance ARN of another account even when the resource claims the finding’s', async () => {
    const forged = INSTANCE_ARN.replace('222222222222', '999999999999');
    const report = await run(
      sequenceFinding((detail) => {
        const { resources, signals } = detail.service.detection.sequence;
        resources[2] = { ...resources[2], uid: forged };
        signals[1] = { ...signals[1], resourceUids: [forged] };
      }),
    );
    expect(reasonOf(report, 'r3')).toBe("the ARN names account 999999999999, not the finding's account 222222222222");
    expect(h.calls().filter((c) => !isReadOnlyAction(c.action) && c.service === 'ec2')).toEqual([]);
  });

  it('reports a resource of a type no playbook answers, with the reason, and acts on the rest', async () => {
    const report = await run(
      sequenceFinding((detail) => {
        const { resources } = detail.service.detection.sequence;
        resources[3] = { uid: 'arn:aws:dynamodb:eu-west-1:222222222222:table/payroll', name: 'payroll', accountId: '222222222222', type: 'AWS::DynamoDB::Table', region: 'eu-west-1' };
      }),
    );
    expect(answersOf(report).at(3)).toEqual(['r4', 'refused', null]);
    expect(reasonOf(report, 'r4')).toBe('no playbook answers a resource of type "AWS::DynamoDB::Table": reported only');
    expect(h.mocks.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    expect(step(report, `r3/isolate:${PRIMARY_ENI}`)).toMatchObject({ status: 'done' });
  });

  it('leaves an instance carrying the exempt tag alone, and answers the rest', async () => {
    h.world.instance = { ...h.world.instance!, Tags: [...(h.world.instance!.Tags ?? []), { Key: 'ir:exempt', Value: 'honeypot' }] };
    const report = await run(sequenceFinding());
    expect(answersOf(report).at(2)).toEqual(['r3', 'refused', 'contain-instance']);
    expect(reasonOf(report, 'r3')).toBe('exempt-tag: the resource carries the exempt tag "ir:exempt" (value "honeypot")');
    expect(h.calls().filter((c) => c.service === 'ec2' && !isReadOnlyAction(c.action))).toEqual([]);
    expect(h.mocks.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
  });

  it('never revokes the responder’s own role, even when a finding of the sequence names it', async () => {
    const own = RESPONDER.protectedRoleNames[0]!;
    givenRole(h.mocks.iam, { roleName: own });
    const report = await run(
      sequenceFinding((detail) => {
        const { resources, signals } = detail.service.detection.sequence;
        const arn = `arn:aws:iam::222222222222:role/${own}`;
        resources[3] = { ...resources[3], uid: arn, name: own };
        signals.push({ uid: 'sig-6', type: 'FINDING', name: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', resourceUids: [arn] });
      }),
    );
    expect(answersOf(report).at(3)).toEqual(['r4', 'refused', 'revoke-credentials']);
    expect(reasonOf(report, 'r4')).toContain(own);
    expect(h.mocks.iam.commandCalls(PutRolePolicyCommand).filter((c) => c.args[0].input.RoleName === own)).toEqual([]);
  });

  it('changes nothing in a dry-run, and shows the same plan', async () => {
    const finding = sequenceFinding();
    guardDuty.holds(finding);
    const report = await respond(finding, { config: enforceConfig(WITHOUT_SECURITY_HUB_NOTE), clients: h.clients, dryRun: true, responder: RESPONDER, now: () => NOW });
    expect(report.blockedBy).toEqual(['dry-run']);
    expect(report.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['r1/deactivate-access-key', `r3/isolate:${PRIMARY_ENI}`]));
    // The investigation's GenerateServiceLastAccessedDetails starts a read-only report job: the only call not named Describe/Get/List.
    expect(h.calls().filter((c) => !isReadOnlyAction(c.action) && c.action !== 'GenerateServiceLastAccessedDetails')).toEqual([]);
    expect(h.mocks.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
  });

  it('keeps each change class’s approval decision, decided with the resource’s own tags (the instance is tagged env=prod)', async () => {
    const finding = sequenceFinding();
    guardDuty.holds(finding);
    const rules = [{ id: 'prod-isolation', class: 'isolate', mode: 'approve', match: { tags: { env: 'prod' } } }];
    const config = enforceConfig({ ...WITHOUT_SECURITY_HUB_NOTE, approval: approvalSchema.parse({ rules }) });
    const prepared = await preparePlan(finding, { config, clients: h.clients, dryRun: false, responder: RESPONDER, now: () => NOW });
    const decided = prepared.steps.filter((s) => s.approval).map((s) => [s.id, s.approval!.changeClass, s.approval!.mode, s.approval!.ruleId]);
    expect(decided).toEqual([
      ['r1/deactivate-access-key', 'deactivate-key', 'auto', 'default'],
      ['r1/revoke-user-sessions', 'revoke-sessions', 'auto', 'default'],
      ['r3/record-original-sgs', 'isolate', 'approve', 'prod-isolation'],
      [`r3/untrack:${PRIMARY_ENI}`, 'isolate', 'approve', 'prod-isolation'],
      [`r3/untrack:${SECONDARY_ENI}`, 'isolate', 'approve', 'prod-isolation'],
      [`r3/isolate:${PRIMARY_ENI}`, 'isolate', 'approve', 'prod-isolation'],
      [`r3/isolate:${SECONDARY_ENI}`, 'isolate', 'approve', 'prod-isolation'],
      ['r3/tag-instance', 'isolate', 'approve', 'prod-isolation'],
    ]);
  });
});
