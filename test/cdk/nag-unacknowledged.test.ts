import { nagFindings, type Finding } from './support/nag';
import { synthesize } from './support/synth';

// Proves the acknowledgements are each needed, and that nothing else is flagged: without them, exactly these remain.
jest.mock('../../lambda/playbooks/registry', () =>
  jest.requireActual('./support/wide-actions').registryWithWideContainInstance(jest.requireActual('../../lambda/playbooks/registry')),
);
jest.mock('../../lib/nag-suppressions', () => ({ acknowledgeNagFindings: () => undefined }));

let findings: Finding[];

beforeAll(() => {
  const synth = synthesize();
  findings = nagFindings(synth.app);
});

describe('cdk-nag without the acknowledgements', () => {
  it('flags the runtime, the failure queues and the wildcard resources, and nothing else', () => {
    const stack = 'GuardDutyIncidentResponse';
    const flagged = findings.map((f) => `${f.rule} ${f.path}`).sort();
    // The playbooks' functions and the owed Security Hub note writer's (lib/owed-note-delivery.ts), whose role has no wildcard.
    const expected = ['ContainInstance', 'RevokeCredentials', 'ContainTask', 'ContainEks', 'Notify', 'OwedSecurityHubNotes'].flatMap((fn) => [
      `AwsSolutions-L1 ${stack}/${fn}/Function/Resource`,
      `AwsSolutions-SQS3 ${stack}/${fn}/FailureQueue/Resource`,
    ]);
    const containRole = `${stack}/ContainInstance/Role/Resource`;
    const EVIDENCE_OBJECTS = '<EvidenceBucketC67FF768.Arn>/incidents/*';
    expected.push(
      `AwsSolutions-IAM5[Resource::*] ${containRole}`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*] ${containRole}`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*] ${containRole}`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*] ${containRole}`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:*:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*] ${containRole}`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticloadbalancing:*:<AWS::AccountId>:targetgroup/*/*] ${containRole}`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:instance/*] ${containRole}`,
      `AwsSolutions-IAM5[Resource::${EVIDENCE_OBJECTS}] ${containRole}`,
      // notify writes evidence too: its only wildcard.
      `AwsSolutions-IAM5[Resource::${EVIDENCE_OBJECTS}] ${stack}/Notify/Role/Resource`,
    );
    // revoke-credentials' own wildcards, whatever its steps declare today.
    const revokeRoleFindings = flagged.filter((f) => f.endsWith(`${stack}/RevokeCredentials/Role/Resource`));
    expect(revokeRoleFindings.every((f) => f.startsWith('AwsSolutions-IAM5[Resource::'))).toBe(true);
    // contain-task's: contain-instance's (an EC2-launch task's instance is contained with its steps) and its ECS resources.
    const taskRoleFindings = flagged.filter((f) => f.endsWith(`${stack}/ContainTask/Role/Resource`));
    expect(taskRoleFindings.every((f) => f.startsWith('AwsSolutions-IAM5[Resource::'))).toBe(true);
    expect(taskRoleFindings).toEqual(
      expect.arrayContaining(['task/*', 'container-instance/*', 'task-definition/*'].map((r) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:*:<AWS::AccountId>:${r}] ${stack}/ContainTask/Role/Resource`)),
    );
    // contain-eks': contain-instance's (the node) and revoke-credentials' (the IAM principal behind the Kubernetes user).
    const eksRoleFindings = flagged.filter((f) => f.endsWith(`${stack}/ContainEks/Role/Resource`));
    expect(eksRoleFindings.every((f) => f.startsWith('AwsSolutions-IAM5[Resource::'))).toBe(true);
    expect(flagged.filter((f) => ![...revokeRoleFindings, ...taskRoleFindings, ...eksRoleFindings].includes(f))).toEqual(expected.sort());
  });
});
