import { createAwsClients, type AwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { READ_ACCOUNT_ALIAS } from '../../../lambda/notify/account-alias';
import { containInstancePlaybook } from '../../../lambda/playbooks/contain-instance/playbook';
import { answerFromWorld, defaultWorld, mockContainClients, receivedCalls, type ContainMocks, type ContainWorld, type ReceivedCall } from './contain-world';

/** IAM actions (`ec2:DescribeInstances`) declared by the playbook's step kinds, and the account alias every response reads for its notification. */
export function declaredActions(): Set<string> {
  return new Set([...containInstancePlaybook.stepSpecs, READ_ACCOUNT_ALIAS].flatMap((spec) => spec.iamActions));
}

/** Calls whose action the playbook does not declare: its derived role could not make them. */
export function undeclaredCalls(calls: readonly ReceivedCall[], declared: ReadonlySet<string> = declaredActions()): string[] {
  return [...new Set(calls.map((c) => `${c.service}:${c.action}`))].filter((action) => !declared.has(action));
}

export interface ContainHarness {
  readonly world: ContainWorld;
  readonly mocks: ContainMocks;
  readonly clients: AwsClients;
  calls(): ReceivedCall[];
  callsOf(action: string): Record<string, unknown>[];
}

/*
 * Installs the fake account for one test file: a fresh world before each
 * test, and after each test the check that every call the mocks received
 * is declared by the playbook's step kinds (or `declared`: the whole role's
 * actions, for tests that notify), so the derived Lambda role allows it. Every test file that uses the harness runs that check.
 */
export function useContainHarness(declared: ReadonlySet<string> = declaredActions()): ContainHarness {
  let world = defaultWorld();
  let clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
  const mocks = mockContainClients();
  beforeEach(() => {
    world = defaultWorld();
    clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
    answerFromWorld(mocks, () => world);
  });
  afterEach(() => {
    expect(undeclaredCalls(receivedCalls(mocks), declared)).toEqual([]);
  });
  afterAll(() => {
    for (const stub of Object.values(mocks)) stub.restore();
  });
  return {
    get world() {
      return world;
    },
    mocks,
    get clients() {
      return clients;
    },
    calls: () => receivedCalls(mocks),
    callsOf: (action) => receivedCalls(mocks).filter((c) => c.action === action).map((c) => c.input),
  };
}
