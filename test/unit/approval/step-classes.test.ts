import { evaluateApproval } from '../../../lambda/approval/evaluate';
import { approvalSchema } from '../../../lambda/approval/schema';
import { BUILT_IN_DEFAULT_MODES } from '../../../lambda/approval/types';
import { CHANGE_CLASSES } from '../../../lambda/approval/types';
import { PLAYBOOK_NAMES } from '../../../lambda/routing/playbook-names';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { CONTAIN_NODE_CLASS } from '../../../lambda/playbooks/contain-eks/specs';
import type { StepSpec } from '../../../lambda/plan/types';

/*
 * Every change a playbook can make is either of a class the approval policy is written for, or declared as
 * one that never waits (evidence, the responder's own records); a read never carries either. A new mutating
 * step kind without a class fails here, rather than being made at once whatever the policy says.
 */

const everySpec: readonly StepSpec[] = [...new Map(PLAYBOOK_NAMES.flatMap((name) => stepSpecsOf(name)).map((spec) => [spec.kind, spec])).values()];

describe('the change class of each step kind', () => {
  it.each(everySpec.filter((spec) => spec.mutating).map((spec) => [spec.kind, spec] as const))('mutating %s has a class or says why it never waits, not both', (_, spec) => {
    expect([spec.changeClass !== undefined, spec.neverWaits !== undefined].filter(Boolean)).toHaveLength(1);
  });

  it.each(everySpec.filter((spec) => !spec.mutating).map((spec) => [spec.kind, spec] as const))('read-only %s has neither', (_, spec) => {
    expect(spec.changeClass).toBeUndefined();
    expect(spec.neverWaits).toBeUndefined();
  });

  it('gives the classes of the issue to the step kinds that make those changes', () => {
    const classOf = Object.fromEntries(everySpec.filter((s) => s.changeClass).map((s) => [s.kind, s.changeClass]));
    expect(classOf).toEqual({
      'create-security-group': 'isolate',
      'open-untrack-security-group': 'isolate',
      'close-isolation-security-group': 'isolate',
      'move-network-interface': 'isolate',
      'move-instance-groups': 'isolate',
      'record-original-security-groups': 'isolate',
      'tag-instance': 'isolate',
      'disassociate-instance-profile': 'remove-instance-profile',
      'detach-from-auto-scaling-group': 'detach-auto-scaling',
      'deregister-from-target-group': 'detach-load-balancer',
      'revoke-role-sessions': 'revoke-sessions',
      'revoke-user-sessions': 'revoke-sessions',
      'deactivate-access-key': 'deactivate-key',
      'block-public-access': 'block-public-access',
      'tag-object-version': 'quarantine-object',
      'copy-object-version': 'quarantine-object',
      'remove-object-version': 'quarantine-object',
      'throttle-function': 'throttle-function',
      'stop-ecs-task': 'stop-task',
      'tag-ecs-task-definition': 'tag-task-definition',
      'create-database-isolation-group': 'restrict-database-network',
      'close-database-isolation-group': 'restrict-database-network',
      'restrict-db-instance-network': 'restrict-database-network',
      'restrict-db-cluster-network': 'restrict-database-network',
      'tag-image-infected': 'unshare-image',
      'tag-recovery-point-infected': 'unshare-image',
      'unshare-snapshot': 'unshare-image',
      'unshare-image': 'unshare-image',
    });
    // Every class is made by some step: a class nothing makes would be a policy key with no effect.
    // contain-node is the class contain-eks and contain-task give contain-instance's steps when they contain an EKS node or an ECS task's
    // EC2 host (planChangeClasses; test/unit/approval/plan-change-classes.test.ts).
    expect(new Set([...Object.values(classOf), CONTAIN_NODE_CLASS])).toEqual(new Set(CHANGE_CLASSES));
  });

  it('lets evidence and the responder\'s own records through, never waiting', () => {
    const waitsNever = Object.fromEntries(everySpec.filter((s) => s.neverWaits).map((s) => [s.kind, s.neverWaits]));
    expect(waitsNever).toEqual({
      'snapshot-volumes': 'evidence',
      'preserve-instance': 'evidence',
      'record-restore-state': 'bookkeeping',
      'record-key-restore-state': 'bookkeeping',
      'record-bucket-restore-state': 'bookkeeping',
      'record-object-restore-state': 'bookkeeping',
      'record-function-restore-state': 'bookkeeping',
      'record-ecs-task-state': 'bookkeeping',
      'update-security-hub-finding': 'bookkeeping',
      'archive-guardduty-finding': 'bookkeeping',
      'snapshot-db-instance': 'evidence',
      'snapshot-db-cluster': 'evidence',
      'record-database-restore-state': 'bookkeeping',
      'record-image-restore-state': 'bookkeeping',
    });
  });

  it('makes restrict-database-network and contain-node wait for a person by default, with or without an approval key; every other class is auto', () => {
    expect(BUILT_IN_DEFAULT_MODES).toEqual({ 'contain-node': 'approve', 'restrict-database-network': 'approve' });
    const policy = approvalSchema.parse({});
    for (const changeClass of CHANGE_CLASSES) {
      const decided = evaluateApproval(policy, { changeClass, accountId: '222222222222', severity: 8, tags: {} });
      expect([changeClass, decided.mode]).toEqual([changeClass, BUILT_IN_DEFAULT_MODES[changeClass] ?? 'auto']);
    }
    // A team can still say otherwise.
    expect(evaluateApproval(approvalSchema.parse({ defaults: { 'restrict-database-network': 'auto' } }), { changeClass: 'restrict-database-network', accountId: null, severity: 8, tags: {} }).mode).toBe('auto');
  });

  it('has a default key in the configuration for every class', () => {
    expect(Object.keys(approvalSchema.parse({ defaults: Object.fromEntries(CHANGE_CLASSES.map((c) => [c, 'never'])) }).defaults).sort()).toEqual([...CHANGE_CLASSES].sort());
  });
});
