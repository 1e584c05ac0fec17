import type { Finding } from '../finding/schema';
import { stepReport, summarize, type PlanDocument } from '../plan/document';
import type { ReadResponse } from '../plan/reads';
import { planStep, type ExecutionContext, type PlannedStep, type StepOutcome } from '../plan/types';
import { readConsoleOutput, type ConsoleOutput } from './console-output';
import { JSON_CONTENT_TYPE, putEvidence, putRequest, TEXT_CONTENT_TYPE, type EvidenceDestination } from './destination';
import { EVIDENCE_FILES, evidenceKey, type EvidenceFile, type IncidentCoordinates } from './layout';
import { READ_CONSOLE_OUTPUT, WRITE_EVIDENCE } from './specs';
import { safeJson } from '../text/untrusted';

/*
 * The evidence of one incident: the finding, the plan, the raw describe
 * output, the console output of an instance, and the report, written to the
 * security account's bucket after the playbook's own steps, so keeping
 * evidence never delays containment, and a failed write is a failed step of
 * its own that blocks nothing and undoes nothing.
 *
 * Order: the console output is read, and the finding, plan and describe
 * output written, in the stage of the notification (concurrently: a slow S3
 * never holds the notification back); the console output is written in the
 * next stage, and the report last, so it holds the outcome of every step
 * but its own.
 *
 * Dry-runs keep evidence too. A dry-run must not change the finding's
 * account, and these steps never do: GetConsoleOutput only reads it, and the
 * writes go to the responder's own bucket, with its own credentials. What a
 * dry-run saw and would have done is the record a team reviews before it
 * switches to enforce, and the record that a finding went unanswered.
 */

export const EVIDENCE_STEP_PREFIX = 'evidence:';
/** The one step a plan holds when no evidence is kept (no bucket configured, a sample finding). */
export const EVIDENCE_SKIPPED_STEP_ID = 'evidence';
export const READ_CONSOLE_OUTPUT_STEP_ID = 'evidence:read-console-output';

export interface ConsoleOutputSource {
  readonly instanceId: string;
  /** Why it cannot be read (the finding's account was not reached): the read is skipped with this reason. */
  readonly unreachable?: string;
}

export interface EvidenceInput {
  /** Absent: no evidence is kept, for `skipReason`. */
  readonly destination: EvidenceDestination | undefined;
  readonly skipReason: string;
  readonly finding: Finding;
  /** Where its objects go: known before the plan document is. */
  readonly incident: IncidentCoordinates;
  /** The finished plan document; read when the steps run. */
  readonly document: () => PlanDocument;
  /** What the playbook's reads returned. */
  readonly responses: readonly ReadResponse[];
  /** The instance whose console output is kept (contain-instance). */
  readonly console?: ConsoleOutputSource;
  /** The first evidence stage: the notification's. */
  readonly stage: number;
}

function json(value: unknown): string {
  return `${safeJson(value, 2)}\n`;
}

function stepIdOf(file: EvidenceFile): string {
  return `${EVIDENCE_STEP_PREFIX}${file}`;
}

/** The report as it stands when report.json is written: every step that has finished, and which have not (report.json itself). */
export function reportSoFar(document: PlanDocument, outcomes: readonly StepOutcome[], writtenAt: Date) {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const steps = document.steps.flatMap((step) => {
    const outcome = byId.get(step.id);
    return outcome ? [stepReport(step, outcome)] : [];
  });
  return {
    ...document,
    steps,
    summary: summarize(steps),
    stepsNotFinished: document.steps.filter((step) => !byId.has(step.id)).map((step) => step.id),
    writtenAt: writtenAt.toISOString(),
  };
}

interface WriteOptions {
  readonly file: EvidenceFile;
  readonly title: string;
  readonly contentType: string;
  readonly body: string;
  readonly why: string;
  readonly stage: number;
  readonly requires?: readonly string[];
  readonly content: (ctx: ExecutionContext) => { readonly body: string } | { readonly skip: string };
}

function writeStep(input: EvidenceInput, destination: EvidenceDestination, options: WriteOptions): PlannedStep {
  const key = evidenceKey(input.incident, options.file);
  return planStep(WRITE_EVIDENCE, {
    id: stepIdOf(options.file),
    title: options.title,
    action: 's3:PutObject',
    target: `s3://${destination.bucket}/${key}`,
    parameters: { ...putRequest(destination, key, options.contentType), Body: options.body },
    why: options.why,
    stage: options.stage,
    ...(options.requires ? { requires: options.requires } : {}),
    run: async (ctx) => {
      const content = options.content(ctx);
      if ('skip' in content) return { status: 'skipped', reason: content.skip };
      return { status: 'done', detail: await putEvidence(destination, key, options.contentType, content.body) };
    },
  });
}

function consoleSteps(input: EvidenceInput, destination: EvidenceDestination, source: ConsoleOutputSource): PlannedStep[] {
  const read = planStep(READ_CONSOLE_OUTPUT, {
    id: READ_CONSOLE_OUTPUT_STEP_ID,
    title: `Read the console output of ${source.instanceId}`,
    action: 'ec2:GetConsoleOutput',
    target: source.instanceId,
    parameters: { InstanceId: source.instanceId, Latest: true },
    why: 'the console shows what the instance printed (boot, kernel, services); read after containment so it never delays isolation',
    stage: input.stage,
    run: async (ctx) => {
      if (source.unreachable) return { status: 'skipped', reason: source.unreachable };
      const output = await readConsoleOutput(ctx.clients.ec2, source.instanceId);
      const size = Buffer.byteLength(output.text, 'utf8');
      return { status: 'done', detail: `${size} bytes${output.latest ? '' : ' (buffered at the last boot)'}`, output };
    },
  });
  const write = writeStep(input, destination, {
    file: EVIDENCE_FILES.consoleOutput,
    title: 'Keep the console output',
    contentType: TEXT_CONTENT_TYPE,
    body: `<console output of ${source.instanceId}, decoded>`,
    why: 'the console output may be gone once the instance is stopped or replaced',
    stage: input.stage + 1,
    requires: [READ_CONSOLE_OUTPUT_STEP_ID],
    content: (ctx) => {
      const output = ctx.outputs.get(READ_CONSOLE_OUTPUT_STEP_ID) as ConsoleOutput | undefined;
      if (!output || output.text === '') return { skip: `${source.instanceId} has written no console output` };
      return { body: output.text };
    },
  });
  return [read, write];
}

/** A plan's evidence steps: the writes (and the console read), or one skipped step saying why there are none. */
export function evidenceSteps(input: EvidenceInput): PlannedStep[] {
  const destination = input.destination;
  if (!destination) {
    return [
      planStep(WRITE_EVIDENCE, {
        id: EVIDENCE_SKIPPED_STEP_ID,
        title: 'Keep the evidence',
        action: 's3:PutObject',
        target: '(no evidence kept)',
        parameters: {},
        why: 'every incident leaves a locked record of the finding, the plan and the report',
        stage: input.stage,
        run: async () => ({ status: 'skipped', reason: input.skipReason }),
      }),
    ];
  }
  const { stage } = input;
  const document = input.document;
  return [
    writeStep(input, destination, {
      file: EVIDENCE_FILES.finding,
      title: 'Keep the finding',
      contentType: JSON_CONTENT_TYPE,
      body: '<the finding as received>',
      why: 'GuardDuty updates a finding in place and drops it after 90 days',
      stage,
      content: () => ({ body: json(input.finding) }),
    }),
    writeStep(input, destination, {
      file: EVIDENCE_FILES.plan,
      title: 'Keep the plan',
      contentType: JSON_CONTENT_TYPE,
      body: '<the plan document>',
      why: 'what the responder decided, with the guards and the reason of every step',
      stage,
      content: () => ({ body: json(document()) }),
    }),
    writeStep(input, destination, {
      file: EVIDENCE_FILES.describe,
      title: 'Keep the describe output',
      contentType: JSON_CONTENT_TYPE,
      body: '<every read and what AWS answered>',
      why: 'the resource as it was before the response changed it',
      stage,
      content: () => {
        const { reads } = document();
        if (reads.length === 0) return { skip: 'the playbook read nothing: its plan comes from the finding alone' };
        return { body: json({ reads, responses: input.responses }) };
      },
    }),
    ...(input.console ? consoleSteps(input, destination, input.console) : []),
    writeStep(input, destination, {
      file: EVIDENCE_FILES.report,
      title: 'Keep the report',
      contentType: JSON_CONTENT_TYPE,
      body: '<the report of every step before this one>',
      why: 'what was done, skipped and failed, with the AWS errors',
      stage: stage + 2,
      content: (ctx) => ({ body: json(reportSoFar(document(), ctx.outcomes, ctx.now())) }),
    }),
  ];
}
