import type { AwsClients } from '../../../lambda/aws/clients';
import { executePlan } from '../../../lambda/plan/executor';
import type { PlannedStep, StepOutcome } from '../../../lambda/plan/types';
import { NOW } from './contain-finding';

/** Runs planned steps as the responder would (enforce), with step outputs given up front when a test needs them. */
export async function executeSteps(
  steps: readonly PlannedStep[],
  clients: AwsClients,
  outputs: Record<string, unknown> = {},
): Promise<StepOutcome[]> {
  return executePlan(steps, { clients, outputs: new Map(Object.entries(outputs)), outcomes: [], now: () => NOW }, { blockedBy: [] });
}
