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
    const expected = ['ContainInstance', 'RevokeCredentials', 'ContainFunction', 'BlockPublicAccess', 'QuarantineObject', 'ContainTask', 'ContainEks', 'ContainDatabase', 'QuarantineImage', 'AnswerSequence', 'Notify', 'OwedSecurityHubNotes'].flatMap((fn) => [
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
    // The S3 playbooks: the buckets or objects a finding names (in the role's own account), the member role, the detector, the evidence.
    for (const [fn, s3] of [
      ['BlockPublicAccess', ['*']],
      ['QuarantineObject', ['*', '*/*']],
    ] as const) {
      const role = `${stack}/${fn}/Role/Resource`;
      expected.push(
        `AwsSolutions-IAM5[Resource::*] ${role}`,
        `AwsSolutions-IAM5[Resource::${EVIDENCE_OBJECTS}] ${role}`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:guardduty:<AWS::Region>:<AWS::AccountId>:detector/*] ${role}`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/IncidentResponseMemberRole] ${role}`,
        ...s3.map((resource) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${resource}] ${role}`),
      );
    }
    // contain-function's wildcards: the functions and roles of the account a finding names, and what every acting playbook has.
    const functionRole = `${stack}/ContainFunction/Role/Resource`;
    expected.push(
      `AwsSolutions-IAM5[Resource::*] ${functionRole}`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:*:<AWS::AccountId>:function:*] ${functionRole}`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*] ${functionRole}`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/IncidentResponseMemberRole] ${functionRole}`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:guardduty:<AWS::Region>:<AWS::AccountId>:detector/*] ${functionRole}`,
      `AwsSolutions-IAM5[Resource::${EVIDENCE_OBJECTS}] ${functionRole}`,
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
    // contain-database's: the databases and snapshots of the account, and contain-instance's isolation group in their VPC.
    const databaseRoleFindings = flagged.filter((f) => f.endsWith(`${stack}/ContainDatabase/Role/Resource`));
    expect(databaseRoleFindings.every((f) => f.startsWith('AwsSolutions-IAM5[Resource::'))).toBe(true);
    expect(databaseRoleFindings).toEqual(expect.arrayContaining([`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:security-group/*] ${stack}/ContainDatabase/Role/Resource`]));
    // quarantine-image's: the snapshots, images and recovery points a malware finding names.
    const imageRoleFindings = flagged.filter((f) => f.endsWith(`${stack}/QuarantineImage/Role/Resource`));
    expect(imageRoleFindings.every((f) => f.startsWith('AwsSolutions-IAM5[Resource::'))).toBe(true);
    expect(imageRoleFindings).toEqual(
      expect.arrayContaining(
        ['ec2:*::image/*', 'ec2:*::snapshot/*', 'backup:*:<AWS::AccountId>:recovery-point:*'].map((r) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${r}] ${stack}/QuarantineImage/Role/Resource`),
      ),
    );
    // answer-sequence's: those of every playbook it answers a resource with (lambda/playbooks/answer-sequence/members.ts), on the
    // customer managed policies that hold its step statements (lib/iam/managed-step-policies.ts), all covered by the role's acknowledgements.
    const sequencePolicy = new RegExp(` ${stack}/AnswerSequence/Role/Steps\\d+/Resource$`);
    const sequenceRoleFindings = flagged.filter((f) => f.endsWith(`${stack}/AnswerSequence/Role/Resource`) || sequencePolicy.test(f));
    expect(sequenceRoleFindings.every((f) => f.startsWith('AwsSolutions-IAM5[Resource::'))).toBe(true);
    expect(sequenceRoleFindings.some((f) => sequencePolicy.test(f))).toBe(true);
    const ownedByRoles = [...revokeRoleFindings, ...taskRoleFindings, ...eksRoleFindings, ...databaseRoleFindings, ...imageRoleFindings, ...sequenceRoleFindings];
    expect(flagged.filter((f) => !ownedByRoles.includes(f))).toEqual(expected.sort());
  });
});
