import { parseFindings } from '../../../../lambda/finding/parse';
import { offlineInstanceFacts } from '../../../../lambda/playbooks/contain-instance/offline-facts';
import { preparePlan } from '../../../../lambda/respond/respond';
import { loadFixture } from '../../../support/fixtures';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../../support/aws-mocks/contain-finding';

const fixture = parseFindings(loadFixture('contain-instance/metadata-dns-rebind.event.json'))[0]!;
const OFFLINE = 'not known offline (planned from the finding alone)';

describe('offlineInstanceFacts', () => {
  it('takes ENIs, groups, VPC, tags and profile from resource.instanceDetails; the rest is unknown', () => {
    expect(offlineInstanceFacts(fixture)).toEqual({
      source: 'finding',
      instanceId: 'i-0a1b2c3d4e5f60718',
      lookup: { status: 'found' },
      state: 'running',
      networkInterfaces: [{ networkInterfaceId: 'eni-0f1e2d3c4b5a69788', vpcId: 'vpc-0abc1234def567890', securityGroupIds: ['sg-0123456789abcdef0'] }],
      volumes: { known: false, why: OFFLINE },
      tags: { Name: 'web-01', env: 'prod' },
      instanceProfile: {
        arn: 'arn:aws:iam::222222222222:instance-profile/web-tier',
        role: { known: false, why: OFFLINE },
        sharedWith: { known: false, why: OFFLINE },
      },
      profileAssociationId: { known: false, why: OFFLINE },
      responderSecurityGroups: { known: false, why: OFFLINE },
      autoScaling: { known: false, why: OFFLINE },
      targetGroups: { known: false, why: OFFLINE },
      unreadTargetGroups: [],
      evidenceSnapshots: { known: false, why: OFFLINE },
    });
  });

  it('a finding with only an instance id still plans, without ENIs; one without an id names the gap', () => {
    const [bare] = parseFindings({ id: 'f', type: 'Backdoor:EC2/C&CActivity.B', severity: 8, resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0123456789abcdef0' } } });
    expect(offlineInstanceFacts(bare!)).toMatchObject({ instanceId: 'i-0123456789abcdef0', networkInterfaces: [], instanceProfile: null, tags: {} });
    expect(offlineInstanceFacts(containFinding({ instanceId: null })).lookup).toEqual({ status: 'missing-id' });
  });
});

describe('an offline plan (ir plan --offline)', () => {
  it('shows the isolation of the ENIs in the finding, with the groups as created, and says what it cannot know', async () => {
    const { document } = await preparePlan(fixture, { config: enforceConfig(), dryRun: true, responder: RESPONDER, now: () => NOW });
    expect(document.offline).toBe(true);
    expect(document.reads).toEqual([]);
    expect(document.steps.map((s) => s.id)).toEqual([
      'record-restore:network',
      'create-untrack-sg:vpc-0abc1234def567890',
      'create-isolation-sg:vpc-0abc1234def567890',
      'record-original-sgs',
      'untrack-sg-ingress:vpc-0abc1234def567890',
      'untrack-sg-egress:vpc-0abc1234def567890',
      'isolation-sg-egress:vpc-0abc1234def567890',
      'untrack:eni-0f1e2d3c4b5a69788',
      'isolate:eni-0f1e2d3c4b5a69788',
      'restore:eni-0f1e2d3c4b5a69788',
      'record-restore:containment',
      'termination-protection',
      'shutdown-behavior-stop',
      'snapshot-volumes',
      'tag-instance',
      'securityhub:note',
      'notify',
      'evidence',
    ]);
    expect(document.warnings[0]).toMatch(/^Planned offline from the finding alone/);
    expect(document.warnings).toEqual(
      expect.arrayContaining([
        `The attached volumes are ${OFFLINE}: DeleteOnTermination is not planned.`,
        `Auto Scaling group membership is ${OFFLINE}: the instance is not detached from any group.`,
        `The role of instance profile arn:aws:iam::222222222222:instance-profile/web-tier is ${OFFLINE}: its sessions are not revoked.`,
      ]),
    );
    expect(document.resource).toMatchObject({ source: 'finding', volumes: { unknown: OFFLINE } });
  });

  it('an instance the finding reports as terminated is not planned', async () => {
    const { document } = await preparePlan(containFinding({ instanceState: 'terminated' }), { config: enforceConfig(), dryRun: true, responder: RESPONDER });
    expect(document.guards.find((g) => g.id === 'instance-terminated')?.reason).toBe('instance i-0a1b2c3d4e5f60718 is terminated according to the finding: there is nothing left to contain');
    expect(document.steps.map((s) => s.id)).toEqual(['securityhub:note', 'notify', 'evidence']);
  });
});
