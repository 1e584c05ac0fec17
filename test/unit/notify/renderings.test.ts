import { renderChat } from '../../../lambda/notify/chat';
import { buildNotificationDocument } from '../../../lambda/notify/document';
import { formatNotification, renderEmail } from '../../../lambda/notify/message';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import type { PlanDocument, StepDocument } from '../../../lambda/plan/document';
import type { IamAction, StepOutcome } from '../../../lambda/plan/types';
import { loadFixture } from '../../support/fixtures';
import { planDocumentOf as planOf } from '../../support/plan-documents';

/*
 * Both renderings of the one notification document (lambda/notify/document.ts),
 * for findings of each kind: an instance contained, an access key revoked,
 * and findings nothing is automated for (S3, EKS, Lambda, RDS, an attack
 * sequence). The email and the chat JSON must say the same things.
 */

function findingOf(fixture: string): Finding {
  return parseFindings(loadFixture(fixture))[0]!;
}

function step(id: string, title: string, action: IamAction, target: string, mutating = true): StepDocument {
  return { id, title, action, iamActions: [action], target, parameters: {}, mutating, why: 'why', stage: 1, requires: [] };
}


function outcome(s: StepDocument, status: StepOutcome['status'], more: Partial<StepOutcome> = {}): StepOutcome {
  return { id: s.id, title: s.title, action: s.action as IamAction, target: s.target, mutating: s.mutating, status, durationMs: 5, ...more };
}

function bothOf(doc: PlanDocument, outcomes: readonly StepOutcome[], finding: Finding, accountAlias?: string) {
  const context = { finding, ...(accountAlias ? { accountAlias } : {}) };
  const notification = buildNotificationDocument(doc, outcomes, context);
  return { notification, email: renderEmail(notification), chat: renderChat(notification) };
}

function linesOf(message: string): string[] {
  return message.split('\n');
}

describe('an instance containment', () => {
  const finding = findingOf('contain-instance/crypto-bitcoin-tool.event.json');
  const vpc = 'vpc-0abc1234def567890';
  const eni = 'eni-0f1e2d3c4b5a69788';
  const steps = [
    step('record-original-sgs', 'Record the original security groups of each ENI on i-0a1b2c3d4e5f60718', 'ec2:CreateTags', 'i-0a1b2c3d4e5f60718'),
    step(`create-isolation-sg:${vpc}`, `Create the isolation security group of ${vpc}`, 'ec2:CreateSecurityGroup', vpc),
    step(`isolate:${eni}`, `Move ${eni} to the isolation security group`, 'ec2:ModifyNetworkInterfaceAttribute', eni),
    step('snapshot-volumes', 'Snapshot every attached volume of i-0a1b2c3d4e5f60718', 'ec2:CreateSnapshots', 'i-0a1b2c3d4e5f60718'),
    step('tag-instance', 'Tag i-0a1b2c3d4e5f60718 with the incident', 'ec2:CreateTags', 'i-0a1b2c3d4e5f60718'),
  ];
  const [record, create, isolate, snapshot, tag] = steps as [StepDocument, StepDocument, StepDocument, StepDocument, StepDocument];
  const withPlaceholder = { ...isolate, target: `${eni} -> <output of create-isolation-sg:${vpc}>` };
  // In the order they finished, not the plan's.
  const outcomes = [
    outcome(snapshot, 'done', { detail: 'snap-0aaa, snap-0bbb, snap-0ccc' }),
    outcome(create, 'done', { detail: 'created sg-0feedbeef1234567 (ir-isolation-vpc-0abc)' }),
    outcome(record, 'done'),
    outcome(withPlaceholder, 'done', { detail: `${eni} is on sg-0feedbeef1234567` }),
    outcome(tag, 'done'),
  ];
  const doc = planOf(finding, 'contain-instance', [record, create, withPlaceholder, snapshot, tag]);
  const { notification, email, chat } = bothOf(doc, outcomes, finding, 'prod-web');

  it('builds the document once: outcome, severity label with its number, resource, account alias, summary', () => {
    expect(notification).toMatchObject({
      outcome: 'DONE',
      severity: { label: 'HIGH', value: 8, text: 'HIGH 8.0' },
      resource: { kind: 'Instance', id: 'i-0a1b2c3d4e5f60718', label: 'i-0a1b2c3d4e5f60718 (web-01)' },
      account: { id: '222222222222', alias: 'prod-web', shown: 'prod-web' },
      region: 'us-east-1',
      summary: 'i-0a1b2c3d4e5f60718 (web-01) in prod-web/us-east-1 isolated, 3 volumes snapshotted: 5 done, 0 failed',
    });
  });

  it('email: subject with outcome, severity, playbook, resource, account and region', () => {
    expect(email.subject).toBe('[GuardDuty IR DONE] contain-instance: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) prod-web/us-east-1');
    expect(email.subject.length).toBeLessThanOrEqual(99);
  });

  it('email: body in order, summary first, steps in plan order, real group ids and links', () => {
    const lines = linesOf(email.message);
    expect(lines[0]).toBe('Summary: i-0a1b2c3d4e5f60718 (web-01) in prod-web/us-east-1 isolated, 3 volumes snapshotted: 5 done, 0 failed');
    const order = ['What GuardDuty found', 'Resource', 'What changed', 'Steps (in plan order):', 'What a person must do next', 'Links'].map((h) => lines.indexOf(h));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  Title: CryptoCurrency:EC2/BitcoinTool.B finding',
        '  First seen: 2026-11-21T10:00:00.000Z',
        '  Last seen: 2026-11-21T10:40:00.000Z',
        '  Count: 3',
        '  Actor: 198.51.100.77 (Amsterdam, Netherlands; Example, Example Hosting AS64500)',
        '  Connection: OUTBOUND, TCP, remote port 3333, local port 46797',
        '  Account: prod-web (222222222222), region us-east-1',
        '  Instance i-0a1b2c3d4e5f60718 (web-01)',
        '    Type: t3.large',
        '    Security groups (when GuardDuty saw it): sg-0123456789abcdef0 (web-tier), sg-0fedcba9876543210 (db-access)',
        `  - Move ${eni} to the isolation security group: ${eni} is on sg-0feedbeef1234567`,
        '  - Create the isolation security group of vpc-0abc1234def567890: created sg-0feedbeef1234567 (ir-isolation-vpc-0abc)',
        '  GuardDuty finding: https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=a9f7e97965d6cf799a529102a973b8b9',
        '  Console page of i-0a1b2c3d4e5f60718 (web-01): https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#InstanceDetails:instanceId=i-0a1b2c3d4e5f60718',
        '  CloudTrail events of i-0a1b2c3d4e5f60718: https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events?ResourceName=i-0a1b2c3d4e5f60718',
      ]),
    );
    const stepLines = lines.filter((l) => /^ {2}(DONE|SKIPPED|FAILED)/.test(l));
    expect(stepLines.map((l) => l.slice(10, 40))).toEqual([record, create, withPlaceholder, snapshot, tag].map((s) => s.title.slice(0, 30)));
    expect(email.message).toContain(`[ec2:ModifyNetworkInterfaceAttribute on ${eni} -> sg-0feedbeef1234567]`);
    expect(email.message).not.toContain('<output of');
    expect(email.message).toContain('`ir release i-0a1b2c3d4e5f60718 --region us-east-1`');
  });

  it('chat: the documented custom-notification shape, the same content', () => {
    expect(Object.keys(chat)).toEqual(['version', 'source', 'id', 'content', 'metadata']);
    expect(chat.version).toBe('1.0');
    expect(chat.source).toBe('custom');
    expect(Object.keys(chat.content)).toEqual(['textType', 'title', 'description', 'nextSteps', 'keywords']);
    expect(chat.content.textType).toBe('client-markdown');
    expect(chat.content.title).toBe(':white_check_mark: DONE: HIGH 8.0 contain-instance i-0a1b2c3d4e5f60718 (web-01)');
    expect(chat.content.keywords).toEqual(['DONE', 'HIGH', 'contain-instance', 'prod-web', 'us-east-1']);
    const description = chat.content.description.split('\n');
    expect(description[0]).toBe(`*Summary:* ${notification.summary}`);
    expect(description).toEqual(
      expect.arrayContaining([
        '*What changed*',
        `• Move ${eni} to the isolation security group: ${eni} is on sg-0feedbeef1234567`,
        'Actor: 198.51.100.77 (Amsterdam, Netherlands; Example, Example Hosting AS64500)',
        'GuardDuty finding: https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=a9f7e97965d6cf799a529102a973b8b9',
      ]),
    );
    expect(chat.content.nextSteps).toEqual([expect.stringContaining("'ir release i-0a1b2c3d4e5f60718 --region us-east-1'")]);
    expect(chat.metadata).toEqual({
      threadId: 'ir-0123456789abcdef',
      summary: email.subject,
      eventType: 'GuardDutyIncidentResponse',
      relatedResources: ['i-0a1b2c3d4e5f60718', finding.id],
      additionalContext: {
        incidentId: 'ir-0123456789abcdef',
        findingId: finding.id,
        findingType: 'CryptoCurrency:EC2/BitcoinTool.B',
        outcome: 'DONE',
        severity: 'HIGH 8.0',
        account: '222222222222',
        region: 'us-east-1',
      },
    });
    // What SNS carries: JSON text that parses back to the same notification.
    expect(JSON.parse(JSON.stringify(chat))).toEqual(chat);
  });

  it('a failed isolation: PARTIAL, named in the subject, in what could not be done and what to do by hand, in both', () => {
    const failed = outcomes.map((o) => (o.id === isolate.id ? { ...o, status: 'failed' as const, detail: undefined, error: { code: 'UnauthorizedOperation', message: 'not allowed', retryable: false } } : o));
    const both = bothOf(doc, failed, finding);
    expect(both.email.subject).toBe('[GuardDuty IR PARTIAL] contain-instance FAILED isolate: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01)');
    expect(both.notification.summary).toBe('i-0a1b2c3d4e5f60718 (web-01) in 222222222222/us-east-1 NOT isolated (1 of 1 network interface failed), 3 volumes snapshotted: 4 done, 1 failed');
    const could = `Move ${eni} to the isolation security group: UnauthorizedOperation: not allowed`;
    expect(both.email.message).toContain(`Could not be done\n  - ${could}`);
    expect(both.email.message).toContain(`  - Do by hand what failed: Move ${eni} to the isolation security group.`);
    expect(both.chat.content.description).toContain(`*Could not be done*\n• ${could}`);
    expect(both.chat.content.nextSteps[0]).toBe(`Do by hand what failed: Move ${eni} to the isolation security group.`);
    expect(both.chat.content.title.startsWith(':rotating_light: PARTIAL: HIGH 8.0')).toBe(true);
  });
});

describe('an access-key revocation', () => {
  const finding = findingOf('revoke-credentials/malicious-ip-caller-user-key.event.json');
  const deactivate = step('deactivate-access-key', 'Deactivate access key AKIA2EXAMPLEKEY00001 of deploy-bot', 'iam:UpdateAccessKey', 'deploy-bot');
  const sessions = step('revoke-user-sessions', 'Revoke the active sessions of user deploy-bot', 'iam:PutUserPolicy', 'deploy-bot');
  const doc = planOf(finding, 'revoke-credentials', [deactivate, sessions]);
  const { notification, email, chat } = bothOf(doc, [outcome(sessions, 'done', { detail: 'AWSRevokeOlderSessions on user deploy-bot denies sessions issued before 2026-11-21T10:00:00.000Z' }), outcome(deactivate, 'done', { detail: 'access key AKIA2EXAMPLEKEY00001 of deploy-bot is now Inactive' })], finding);

  it('names the user, the key, the API and the caller, and links the user and its key\'s CloudTrail events', () => {
    expect(notification.summary).toBe('user deploy-bot in 222222222222/us-east-1 access key deactivated, sessions revoked: 2 done, 0 failed');
    expect(email.subject).toBe('[GuardDuty IR DONE] revoke-credentials: MEDIUM 5.0 user deploy-bot 222222222222/us-east-1');
    const lines = linesOf(email.message);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  Actor: 203.0.113.9 (Example, Example; Example ISP AS64501)',
        '  API: ec2.amazonaws.com DescribeInstances',
        '  Access key AKIA2EXAMPLEKEY00001 of IAMUser deploy-bot',
        '  - Deactivate access key AKIA2EXAMPLEKEY00001 of deploy-bot: access key AKIA2EXAMPLEKEY00001 of deploy-bot is now Inactive',
        '  Console page of user deploy-bot: https://us-east-1.console.aws.amazon.com/iam/home#/users/details/deploy-bot',
        '  CloudTrail events of AKIA2EXAMPLEKEY00001: https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events?AccessKeyId=AKIA2EXAMPLEKEY00001',
      ]),
    );
    expect(email.message).toContain('`ir release --access-key AKIA2EXAMPLEKEY00001`');
    expect(chat.content.title).toBe(':white_check_mark: DONE: MEDIUM 5.0 revoke-credentials user deploy-bot');
    expect(chat.content.description).toContain('• DONE Deactivate access key AKIA2EXAMPLEKEY00001 of deploy-bot (access key AKIA2EXAMPLEKEY00001 of deploy-bot is now Inactive)');
  });
});

describe('what changed', () => {
  it("leaves out the responder's own ledger bookkeeping (restore records): in the steps, not in what changed", () => {
    const finding = findingOf('contain-instance/crypto-bitcoin-tool.event.json');
    const ledger = step('record-restore-state', 'Record the security groups of each ENI of i-0a1b2c3d4e5f60718 in the ledger', 'dynamodb:UpdateItem', 'restore#x');
    const tag = step('tag-instance', 'Tag i-0a1b2c3d4e5f60718 with the incident', 'ec2:CreateTags', 'i-0a1b2c3d4e5f60718');
    const { notification, email } = bothOf(planOf(finding, 'contain-instance', [ledger, tag]), [outcome(ledger, 'done'), outcome(tag, 'done')], finding);
    expect(notification.changes).toEqual(['Tag i-0a1b2c3d4e5f60718 with the incident']);
    expect(email.message).toContain('  DONE    Record the security groups of each ENI of i-0a1b2c3d4e5f60718 in the ledger [dynamodb:UpdateItem on restore#x]');
  });
});

describe('findings nothing is automated for: every resource type in detail', () => {
  it('a note written on the finding in Security Hub is no action on the account: still NO ACTION, "reported for review"', () => {
    const finding = findingOf('notify/stealth-s3-logging-disabled.event.json');
    const note = step('securityhub:note', 'Note the response on the finding in Security Hub', 'securityhub:BatchUpdateFindings', 'the finding');
    const { notification, email } = bothOf(planOf(finding, 'notify', [note]), [outcome(note, 'done')], finding);
    expect(notification.outcome).toBe('NO ACTION');
    expect(email.subject).toMatch(/^\[GuardDuty IR NO ACTION\] notify: HIGH 8\.0 bucket /);
    expect(notification.summary).toBe('bucket example-audit-archive in 222222222222/us-east-1 reported for review, no automated action: 1 done, 0 failed');
  });

  it('S3: the buckets, the caller and the API, a bucket link, review guidance', () => {
    const finding = findingOf('notify/stealth-s3-logging-disabled.event.json');
    const { notification, email, chat } = bothOf(planOf(finding, 'notify'), [], finding);
    expect(notification.outcome).toBe('NO ACTION');
    expect(notification.resource).toMatchObject({ kind: 'S3Bucket' });
    expect(email.subject).toMatch(/^\[GuardDuty IR NO ACTION\] notify: HIGH 8\.0 bucket /);
    expect(notification.resources.map((r) => r.kind)[0]).toBe('S3Bucket');
    expect(notification.resources.map((r) => r.kind)).toContain('AccessKey');
    expect(email.message).toMatch(/\n {2}S3 bucket \S+\n/);
    expect(email.message).toContain('No automated action applies to this finding.');
    expect(email.message).toMatch(/Console page of bucket \S+: https:\/\/\S+\/s3\/buckets\//);
    expect(chat.content.nextSteps[0]).toMatch(/^Review the bucket's policy/);
    expect(chat.content.description).toMatch(/\*S3 bucket \S+\*/);
  });

  it('EKS: the cluster, its Kubernetes user and workload', () => {
    const finding = findingOf('contain-eks/eks-runtime-bitcoin-dns.event.json');
    const { notification, email, chat } = bothOf(planOf(finding, 'notify'), [], finding);
    expect(notification.resource?.kind).toBe('EKSCluster');
    expect(email.subject).toContain(`HIGH 8.0 EKS cluster ${finding.resource!.eksClusterDetails!.name}`);
    expect(email.message).toContain(`  EKS cluster ${finding.resource!.eksClusterDetails!.name}\n`);
    expect(email.message).toMatch(/Console page of EKS cluster \S+: https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/eks\/home\?region=/);
    expect(chat.content.nextSteps[0]).toMatch(/Kubernetes audit log/);
  });

  it('Lambda: the function, its role and VPC', () => {
    const finding = findingOf('contain-function/trojan-lambda-blackhole.raw.json');
    const { notification, email, chat } = bothOf(planOf(finding, 'notify'), [], finding);
    const fn = finding.resource!.lambdaDetails!;
    expect(notification.resource).toMatchObject({ kind: 'Lambda', id: fn.functionName });
    expect(email.message).toContain(`  Lambda function ${fn.functionName}\n`);
    expect(email.message).toContain(`    Execution role: ${fn.role}`);
    expect(email.message).toContain(`#/functions/${fn.functionName}`);
    expect(chat.content.nextSteps[0]).toMatch(/reserved concurrency to 0/);
  });

  it('RDS: the database instance, and a Limitless shard group and the login attempts when the finding has them', () => {
    const finding = findingOf('notify/rds-anomalous-login.event.json');
    const db = finding.resource!.rdsDbInstanceDetails!;
    const plain = bothOf(planOf(finding, 'notify'), [], finding);
    expect(plain.notification.resource).toMatchObject({ kind: 'RDSDBInstance', id: db.dbInstanceIdentifier });
    expect(plain.email.message).toContain(`  RDS database ${db.dbInstanceIdentifier}\n`);
    expect(plain.email.message).toContain(`#database:id=${db.dbInstanceIdentifier}`);

    const limitless = parseFindings({
      ...finding,
      resource: { resourceType: 'RDSLimitlessDB', rdsLimitlessDbDetails: { dbShardGroupIdentifier: 'orders-shards', dbClusterIdentifier: 'orders', engine: 'aurora-postgresql' }, rdsDbUserDetails: { user: 'app', database: 'orders' } },
      service: { ...finding.service, action: { actionType: 'RDS_LOGIN_ATTEMPT', rdsLoginAttemptAction: { remoteIpDetails: { ipAddressV4: '203.0.113.5' }, loginAttributes: [{ user: 'app', application: 'psql', failedLoginAttempts: 40, successfulLoginAttempts: 1 }] } } },
    })[0]!;
    const both = bothOf(planOf(limitless, 'notify'), [], limitless);
    expect(both.notification.resource).toMatchObject({ kind: 'RDSLimitlessDB', id: 'orders-shards', label: 'DB shard group orders-shards' });
    expect(both.email.message).toContain('  RDS Limitless database shard group orders-shards\n    Cluster: orders\n    Engine: aurora-postgresql\n    Database user: app\n    Database: orders');
    expect(both.email.message).toContain('  Database logins: app via psql: 1 succeeded, 40 failed');
    expect(both.chat.content.description).toContain('Database logins: app via psql: 1 succeeded, 40 failed');
  });

  it('ECS and a container: the cluster, its task and containers, the container privileges', () => {
    const base = findingOf('contain-eks/eks-runtime-bitcoin-dns.event.json');
    const finding = parseFindings({
      ...base,
      resource: {
        resourceType: 'ECSCluster',
        ecsClusterDetails: { name: 'payments', status: 'ACTIVE', taskDetails: { arn: 'arn:aws:ecs:us-east-1:222222222222:task/payments/abc', containers: [{ name: 'api', image: 'repo/api:1' }] } },
        containerDetails: { name: 'api', image: 'repo/api:1', securityContext: { privileged: true } },
      },
    })[0]!;
    const { notification, email } = bothOf(planOf(finding, 'notify'), [], finding);
    expect(notification.resources.map((r) => r.kind)).toEqual(['ECSCluster', 'Container']);
    expect(email.message).toContain('  ECS cluster payments\n    Status: ACTIVE\n    Task: arn:aws:ecs:us-east-1:222222222222:task/payments/abc\n    Containers: api (repo/api:1)');
    expect(email.message).toContain('  Container api\n    Image: repo/api:1\n    Privileged: yes');
  });

  it('an attack sequence: its resources, signals in the order first seen, actors and endpoints', () => {
    const finding = findingOf('answer-sequence/compromised-credentials.event.json');
    const { notification, email, chat } = bothOf(planOf(finding, 'notify'), [], finding);
    expect(notification.severity.text).toBe('CRITICAL 9.2');
    expect(email.subject).toBe('[GuardDuty IR NO ACTION] notify: CRITICAL 9.2 user ci-deployer 222222222222/eu-west-1 AttackSequ...');
    const lines = linesOf(email.message);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  Attack sequence of 5 signals across 4 resources',
        '    Resource: AWS::S3::Bucket payroll-exports in 222222222222/eu-west-1',
        '    Actors: ci-deployer (IAMUser)',
        '    Endpoints: 203.0.113.66 (Example City, Examplestan) AS EXAMPLE-TRANSIT',
      ]),
    );
    expect(lines.filter((line) => line.startsWith('    Signal: '))).toEqual([
      '    Signal: 2026-11-21T09:02:11.000Z FINDING Recon:IAMUser/MaliciousIPCaller (API GetCallerIdentity invoked from a known malicious IP) x3',
      '    Signal: 2026-11-21T10:05:00.000Z FINDING CryptoCurrency:EC2/BitcoinTool.B (EC2 instance i-0a1b2c3d4e5f60718 is querying a Bitcoin-related domain) x12',
      '    Signal: 2026-11-21T11:40:00.000Z CLOUD_TRAIL PutBucketPolicy x1',
      '    Signal: 2026-11-21T11:52:00.000Z FINDING Exfiltration:S3/AnomalousBehavior (An IAM entity invoked an S3 API in a suspicious way) x1',
      '    Signal: 2026-11-21T12:00:00.000Z CLOUD_TRAIL AttachUserPolicy x2',
    ]);
    expect(chat.content.description).toContain('*Attack sequence of 5 signals across 4 resources*');
    expect(email.message).toContain('https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=c4a1f0e2b3d5c6a7e8f9a0b1c2d3e4f5');
  });

  it('an answered attack sequence: each resource with what was done about it, and the count of resources answered', () => {
    const finding = findingOf('answer-sequence/compromised-credentials.event.json');
    const deactivate = step('r1/deactivate-access-key', 'r1 key AKIA2EXAMPLEKEY00042 of IAMUser ci-deployer: Deactivate access key', 'iam:UpdateAccessKey', 'AKIA2EXAMPLEKEY00042');
    const isolate = step('r3/isolate:eni-0f1e2d3c4b5a69788', 'r3 instance i-0a1b2c3d4e5f60718: Move eni-0f1e2d3c4b5a69788 to the isolation group', 'ec2:ModifyNetworkInterfaceAttribute', 'eni-0f1e2d3c4b5a69788');
    const resources = [
      { ref: 'r1', answer: 'answered', playbook: 'revoke-credentials', reason: 'Recon:IAMUser/MaliciousIPCaller: credentials are being misused' },
      { ref: 'r2', answer: 'reported', playbook: null, reason: 'the routing table acts on none of Exfiltration:S3/AnomalousBehavior for a S3Bucket: reported only' },
      { ref: 'r3', answer: 'answered', playbook: 'contain-instance', reason: 'CryptoCurrency:EC2/BitcoinTool.B: the instance shows signs of compromise' },
      { ref: 'r4', answer: 'refused', playbook: null, reason: "it is in account 999999999999, not the finding's account 222222222222" },
    ];
    const doc = planOf(finding, 'answer-sequence', [deactivate, isolate], { resource: { resources } });
    const { notification, email } = bothOf(doc, [outcome(deactivate, 'done'), outcome(isolate, 'failed', { error: { code: 'UnauthorizedOperation', message: 'no', retryable: false } })], finding);
    expect(notification.summary).toBe('user ci-deployer in 222222222222/eu-west-1 1 resource of the sequence answered, 1 resource NOT fully answered: 1 done, 1 failed');
    expect(linesOf(email.message).filter((line) => line.startsWith('    Resource: '))).toEqual([
      '    Resource: AWS::IAM::AccessKey ci-deployer in 222222222222/eu-west-1 - r1: answered by revoke-credentials (1 done): Recon:IAMUser/MaliciousIPCaller: credentials are being misused',
      '    Resource: AWS::S3::Bucket payroll-exports in 222222222222/eu-west-1 - r2: reported only, nothing done: the routing table acts on none of Exfiltration:S3/AnomalousBehavior for a S3Bucket: reported only',
      '    Resource: AWS::EC2::Instance build-runner-3 in 222222222222/eu-west-1 - r3: answered by contain-instance (0 done, 1 FAILED): CryptoCurrency:EC2/BitcoinTool.B: the instance shows signs of compromise',
      "    Resource: AWS::IAM::Role admin-breakglass in 222222222222/global - r4: REFUSED, nothing done: it is in account 999999999999, not the finding's account 222222222222",
    ]);
  });
});

describe('a finding whose optional parts are malformed', () => {
  it('is still parsed and answered: the malformed part is left out of the notification, the rest is there', () => {
    const base = findingOf('contain-function/trojan-lambda-blackhole.raw.json');
    const finding = parseFindings({ ...base, resource: { ...base.resource, lambdaDetails: 'not an object' }, service: { ...base.service, action: { actionType: 7, networkConnectionAction: [] } } })[0]!;
    const { notification, email } = bothOf(planOf(finding, 'notify'), [], finding);
    expect(notification.resources).toEqual([]);
    expect(email.message).toContain(`  Title: ${base.title}`);
  });
});

describe('formatNotification without the finding (rebuilt from a report)', () => {
  it('still names the instance the playbook read, from the plan document', () => {
    const finding = findingOf('contain-instance/crypto-bitcoin-tool.event.json');
    const { subject } = formatNotification(planOf(finding, 'contain-instance', [], { resource: { instanceId: 'i-0a1b2c3d4e5f60718' } }), []);
    expect(subject).toBe('[GuardDuty IR NO ACTION] contain-instance: HIGH 8.0 i-0a1b2c3d4e5f60718 222222222222/us-east-1');
  });
});
