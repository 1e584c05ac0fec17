import { withApprovalPolicy } from '../../../lambda/approval/annotate';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import { containEksPlaybook } from '../../../lambda/playbooks/contain-eks/playbook';
import { containTaskPlaybook } from '../../../lambda/playbooks/contain-task/playbook';
import type { AnyPlaybook } from '../../../lambda/playbooks/types';
import { loadFixture } from '../../support/fixtures';

/*
 * contain-eks and contain-task give contain-instance's steps the class contain-node, which no step spec declares:
 * without an `approval` key the policy must still be applied, so that containing a shared node or host waits for a
 * person (BUILT_IN_DEFAULT_MODES), as the docs say. Before planChangeClasses, those steps carried no decision and ran.
 */

function decisions(playbook: AnyPlaybook, fixture: string): [string, string | undefined, string][] {
  const finding: Finding = parseFindings(loadFixture(fixture))[0]!;
  const governed = withApprovalPolicy(playbook, DEFAULT_RUNTIME_CONFIG);
  const plan = governed.plan({ finding, facts: governed.offlineFacts(finding), config: DEFAULT_RUNTIME_CONFIG, incidentId: 'ir-0123456789abcdef', now: new Date('2026-11-21T10:50:00Z'), responder: { protectedRoleNames: [] } });
  return plan.steps.filter((s) => s.changeClass !== undefined && s.compensates === undefined).map((s) => [s.id, s.changeClass, s.approval?.mode ?? 'no decision']);
}

describe('without an approval key', () => {
  it('an EKS node’s containment waits for a person (contain-node: approve)', () => {
    expect(DEFAULT_RUNTIME_CONFIG.approval).toBeUndefined();
    const steps = decisions(containEksPlaybook as AnyPlaybook, 'contain-eks/eks-runtime-node.event.json');
    expect(steps.length).toBeGreaterThan(5);
    for (const [id, changeClass, mode] of steps) expect([id, changeClass, mode]).toEqual([id, 'contain-node', 'approve']);
  });

  it('the shared EC2 host under an ECS task waits for a person (contain-node: approve); the suspect tag is made at once', () => {
    const steps = decisions(containTaskPlaybook as AnyPlaybook, 'contain-task/ec2-reverse-shell.raw.json');
    const host = steps.filter(([, changeClass]) => changeClass !== 'tag-task-definition');
    expect(host.length).toBeGreaterThan(5);
    for (const [id, changeClass, mode] of host) expect([id, changeClass, mode]).toEqual([id, 'contain-node', 'approve']);
    expect(steps.filter(([, changeClass]) => changeClass === 'tag-task-definition').map(([, , mode]) => mode)).toEqual(['auto']);
  });

  it('a Fargate task is stopped at once (stop-task: auto)', () => {
    expect(decisions(containTaskPlaybook as AnyPlaybook, 'contain-task/fargate-bitcoin-dns.event.json')).toEqual([
      ['stop-ecs-task', 'stop-task', 'auto'],
      ['tag-ecs-task-definition', 'tag-task-definition', 'auto'],
    ]);
  });
});
