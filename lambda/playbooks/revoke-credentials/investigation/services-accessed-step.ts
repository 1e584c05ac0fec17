import type { TimeBudget } from '../../../investigation/budget';
import { readServicesAccessed } from '../../../investigation/services-accessed';
import { planStep, type PlannedStep } from '../../../plan/types';
import { INVESTIGATE_SERVICES_ACCESSED } from '../specs';

export const SERVICES_ACCESSED_STEP_ID = 'investigate-services-accessed';

/** The user or role whose use of AWS services is read. */
export type InvestigatedPrincipal =
  | { readonly label: string; readonly arn: string }
  /** The ARN (with its path) was not read, so the report cannot be asked for; `because` says why. */
  | { readonly label: string; readonly arn: null; readonly because: string };

export interface ServicesAccessedArgs {
  readonly principal: InvestigatedPrincipal;
  readonly stage: number;
  readonly budget: TimeBudget;
}

/** Which AWS services the principal has used, from IAM's service-last-accessed report. */
export function servicesAccessedStep(args: ServicesAccessedArgs): PlannedStep {
  const { principal, budget } = args;
  return planStep(INVESTIGATE_SERVICES_ACCESSED, {
    id: SERVICES_ACCESSED_STEP_ID,
    title: `List the AWS services ${principal.label} has accessed`,
    action: 'iam:GenerateServiceLastAccessedDetails',
    target: principal.arn ?? principal.label,
    parameters: { Arn: principal.arn ?? `<ARN of ${principal.label}: unknown>`, Granularity: 'SERVICE_LEVEL' },
    why:
      'the services the principal used tell where to look for damage; IAM builds the report as a job that is read until it is done ' +
      '(bounded polls, within the time budget); read-only, after containment',
    stage: args.stage,
    run: async (ctx) => {
      if (principal.arn === null) return { status: 'skipped', reason: `the ARN of ${principal.label} is not known: ${principal.because}` };
      const evidence = await readServicesAccessed(ctx.clients.iam, principal.arn, budget);
      const detail =
        evidence.jobStatus === 'COMPLETED'
          ? `${evidence.servicesAccessed} services accessed`
          : `IAM job ${evidence.jobId} not finished after ${evidence.polls} polls`;
      return { status: 'done', detail, evidence };
    },
  });
}
