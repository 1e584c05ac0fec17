import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import type { ExecutionContext, PlannedStep, StepOutcome } from '../../../../lambda/plan/types';
import { SEQUENCE_MEMBERS } from '../../../../lambda/playbooks/answer-sequence/members';
import { contextFor, prefixedStep } from '../../../../lambda/playbooks/answer-sequence/prefix';
import { ANSWER_SEQUENCE_STEP_SPECS } from '../../../../lambda/playbooks/answer-sequence/specs';
import { requiredIamActions } from '../../../../lambda/playbooks/registry';
import { ACTING_PLAYBOOKS } from '../../../../lambda/routing/playbook-names';
import { ROUTING_TABLE } from '../../../../lambda/routing/table';
import { SEQUENCE_VIEW_RESOURCE_TYPES } from '../../../../lambda/playbooks/answer-sequence/resource-views';
import { runIr } from '../../../support/run-ir';

describe('the playbooks answer-sequence answers resources with', () => {
  it('are every playbook the routing table picks for a resource type a sequence resource is seen as: one added there must be added to members.ts', () => {
    const types: readonly string[] = SEQUENCE_VIEW_RESOURCE_TYPES;
    const routed = ROUTING_TABLE.filter((rule) => types.includes(rule.resourceType) && rule.playbook !== 'answer-sequence').map((rule) => rule.playbook);
    expect(Object.keys(SEQUENCE_MEMBERS).sort()).toEqual([...new Set(routed)].sort());
    // Every acting playbook answers its resources inside a sequence too (the issue: every resource the sequence names).
    expect(ACTING_PLAYBOOKS.filter((name) => !(name in SEQUENCE_MEMBERS) && name !== 'answer-sequence')).toEqual([]);
  });

  it('give it every step kind they declare, once, and so every IAM action of their roles', () => {
    const kinds = Object.values(SEQUENCE_MEMBERS).flatMap((playbook) => playbook!.stepSpecs.map((spec) => spec.kind));
    expect(ANSWER_SEQUENCE_STEP_SPECS.map((spec) => spec.kind).sort()).toEqual([...new Set(kinds)].sort());
    const own = new Set(requiredIamActions('answer-sequence'));
    for (const playbook of Object.values(SEQUENCE_MEMBERS)) {
      expect(playbook!.stepSpecs.flatMap((spec) => spec.iamActions).filter((action) => !own.has(action))).toEqual([]);
    }
    // Beyond its steps, only contain-instance's console-output evidence: a sequence finding names no instance of its own to keep it of.
    const members = new Set(Object.keys(SEQUENCE_MEMBERS).flatMap((name) => requiredIamActions(name as 'contain-instance')));
    expect([...members].filter((action) => !own.has(action))).toEqual(['ec2:GetConsoleOutput']);
  });
});

describe('prefixedStep: one resource’s step inside the sequence’s plan', () => {
  const seen: { outputs: unknown[]; outcomes: StepOutcome[] }[] = [];
  const inner: PlannedStep = {
    id: 'isolate:eni-1',
    kind: 'isolate-eni',
    title: 'Move eni-1 to <output of create-isolation-sg:vpc-1>',
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    iamActions: ['ec2:ModifyNetworkInterfaceAttribute'],
    target: 'eni-1 -> <output of create-isolation-sg:vpc-1>',
    parameters: { NetworkInterfaceId: 'eni-1', Groups: ['<output of create-isolation-sg:vpc-1>'] },
    mutating: true,
    changeClass: 'isolate',
    why: 'cut it off',
    stage: 4,
    follows: 'untrack:eni-1',
    requires: ['create-isolation-sg:vpc-1'],
    compensates: 'untrack:eni-1',
    run: (ctx) => {
      seen.push({ outputs: [ctx.outputs.get('create-isolation-sg:vpc-1'), ctx.outputs.has('create-isolation-sg:vpc-1')], outcomes: ctx.outcomes });
      ctx.outputs.set('isolate:eni-1', 'moved');
      return Promise.resolve({ status: 'done' });
    },
  };

  it('renames the step and every reference to a step of its sub-plan, and keeps its class and stage', () => {
    const step = prefixedStep(inner, 'r3', 'instance i-0abc');
    expect({ ...step, run: undefined }).toEqual({
      ...inner,
      run: undefined,
      id: 'r3/isolate:eni-1',
      title: 'r3 instance i-0abc: Move eni-1 to <output of r3/create-isolation-sg:vpc-1>',
      target: 'eni-1 -> <output of r3/create-isolation-sg:vpc-1>',
      parameters: { NetworkInterfaceId: 'eni-1', Groups: ['<output of r3/create-isolation-sg:vpc-1>'] },
      follows: 'r3/untrack:eni-1',
      requires: ['r3/create-isolation-sg:vpc-1'],
      compensates: 'r3/untrack:eni-1',
    });
  });

  it('runs with its own sub-plan’s outputs and outcomes under their own ids, and writes through to the execution’s', async () => {
    const outcome = (id: string): StepOutcome => ({ id, title: id, action: 'ec2:CreateSecurityGroup', target: id, mutating: true, status: 'done', durationMs: 1 });
    const ctx: ExecutionContext = {
      clients: createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT),
      outputs: new Map<string, unknown>([
        ['r3/create-isolation-sg:vpc-1', 'sg-0new'],
        ['r4/create-isolation-sg:vpc-1', 'sg-0other'],
      ]),
      outcomes: [outcome('r3/create-isolation-sg:vpc-1'), outcome('r4/create-isolation-sg:vpc-1'), outcome('notify')],
      now: () => new Date(0),
    };
    await prefixedStep(inner, 'r3', 'instance i-0abc').run(ctx);
    expect(seen.at(-1)).toEqual({ outputs: ['sg-0new', true], outcomes: [{ ...outcome('r3/create-isolation-sg:vpc-1'), id: 'create-isolation-sg:vpc-1' }] });
    expect(ctx.outputs.get('r3/isolate:eni-1')).toBe('moved');
    expect(contextFor(ctx, 'r4').outputs.get('create-isolation-sg:vpc-1')).toBe('sg-0other');
  });
});

describe('ir plan --offline on an attack sequence', () => {
  it('shows one plan: the key’s and the instance’s steps under their refs, and every resource not answered with the reason', async () => {
    const run = await runIr('plan', '--offline', 'test/fixtures/findings/answer-sequence/compromised-credentials.event.json');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').map((line) => line.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        'route   answer-sequence (attack-sequence-credentials: an attack sequence: each resource it names is answered by its own playbook, in one incident)',
        '2. change r1 key AKIA2EXAMPLEKEY00042 of IAMUser ci-deployer: Deactivate access key AKIA2EXAMPLEKEY00042 of IAM user ci-deployer [iam:UpdateAccessKey → IAM user ci-deployer (access key AKIA2EXAMPLEKEY00042)]  auto (rule default)',
        '10. change r3 instance i-0a1b2c3d4e5f60718: Snapshot every attached volume of i-0a1b2c3d4e5f60718 [ec2:CreateSnapshots → i-0a1b2c3d4e5f60718]',
        '! r2 AWS::S3::Bucket arn:aws:s3:::payroll-exports: reported, not acted on: Exfiltration:S3/AnomalousBehavior is answered by revoking the principal that made the calls (s3-data-by-principal), never by changing the S3Bucket: the principal is answered as its own resource of the sequence, reported only',
        '! r4 AWS::IAM::Role arn:aws:iam::222222222222:role/admin-breakglass: reported, not acted on: no GuardDuty finding of the sequence names this resource: reported only',
      ]),
    );
  });

  it('plans the instance group from get-findings output: both instances contained, the role’s sessions revoked', async () => {
    const run = await runIr('plan', '--offline', '--json', 'test/fixtures/findings/answer-sequence/compromised-instance-group.get-findings.json');
    expect(run.code).toBe(0);
    const [plan] = JSON.parse(run.stdout) as { steps: { id: string }[]; resource: { resources: { ref: string; answer: string; playbook: string | null }[] } }[];
    expect(plan!.resource.resources.map((r) => [r.ref, r.answer, r.playbook])).toEqual([
      ['r1', 'answered', 'contain-instance'],
      ['r2', 'answered', 'contain-instance'],
      ['r3', 'refused', null],
      ['r4', 'answered', 'revoke-credentials'],
    ]);
    expect(plan!.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['r1/snapshot-volumes', 'r2/snapshot-volumes', 'r4/revoke-role-sessions']));
  });
});
