import { closeLoopStepSpecsOf, OWE_SECURITY_HUB_NOTE } from '../../lambda/close-loop/specs';
import { findingAccountStepSpecsOf, requiredIamActions, stepSpecsOf } from '../../lambda/playbooks/registry';
import { actsInFindingAccount, PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { memberRoleActions } from '../../lib/member/member-actions';
import { synthesize, type Synthesized } from './support/synth';
import { asList, roleIdOf, statementsOfRole } from './support/template-queries';

/*
 * Closing the loop (lambda/close-loop/): the playbook roles get exactly the
 * actions of its step declarations, on the security account's own hub and
 * detectors; the member role gets none of them.
 */

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize();
});

const HUB = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':hub/default']] };

function grantsOf(playbook: PlaybookName, prefix: string) {
  return statementsOfRole(synth.template, roleIdOf(synth.template, playbook))
    .filter((s) => s.Effect === 'Allow' && asList(s.Action).some((a) => a.startsWith(prefix)))
    .map((s) => ({ actions: asList(s.Action).filter((a) => a.startsWith(prefix)), resources: synth.stack.resolve(s.Resource) as unknown }));
}

describe.each(PLAYBOOK_NAMES)('the %s role and closing the loop', (playbook) => {
  it('declares the Security Hub note (and its record as owed in the ledger), and the GuardDuty archive exactly when the playbook acts', () => {
    const kinds = closeLoopStepSpecsOf(actsInFindingAccount(playbook)).map((spec) => spec.kind);
    const note = ['update-security-hub-finding', 'owe-security-hub-note'];
    expect(kinds).toEqual(actsInFindingAccount(playbook) ? [...note, 'archive-guardduty-finding'] : note);
    expect(stepSpecsOf(playbook).map((spec) => spec.kind)).toEqual(expect.arrayContaining(kinds));
  });

  it('may update findings through the security account’s own hub in this region, and nothing else of Security Hub', () => {
    expect(grantsOf(playbook, 'securityhub:')).toEqual([{ actions: ['securityhub:BatchUpdateFindings'], resources: HUB }]);
    expect(requiredIamActions(playbook).filter((a) => a.startsWith('securityhub:'))).toEqual(['securityhub:BatchUpdateFindings']);
  });

  it('records a note Security Hub cannot take yet in the ledger table, with the UpdateItem the ledger steps already hold', () => {
    expect(OWE_SECURITY_HUB_NOTE.iamActions).toEqual(['dynamodb:UpdateItem']);
    const ledger = grantsOf(playbook, 'dynamodb:UpdateItem');
    expect(ledger.map((g) => g.resources)).toContainEqual({ 'Fn::GetAtt': [synth.stack.getLogicalId(synth.stack.ledger.table.node.defaultChild as never), 'Arn'] });
  });

  it('calls neither in the finding’s account: the member role never holds them', () => {
    const memberSide = findingAccountStepSpecsOf(playbook).flatMap((spec) => spec.iamActions);
    expect(memberSide.filter((a) => a.startsWith('securityhub:') || a === 'guardduty:ArchiveFindings')).toEqual([]);
    expect(memberRoleActions().filter((a) => a.startsWith('securityhub:') || a.startsWith('guardduty:'))).toEqual([]);
  });
});

it('the notify role, which never acts, cannot archive a GuardDuty finding', () => {
  expect(grantsOf('notify', 'guardduty:')).toEqual([]);
});
