import { isInstanceIncidentTag, isResponderGroupName, networkInterfaceOfOriginalSgsTag, originalSgsTagKey, uniqueSecurityGroupName } from '../../../../lambda/playbooks/contain-instance/names';

describe('the tag keys contain-instance writes on an instance', () => {
  it('names the ENI of an original-groups record, and nothing else', () => {
    expect(networkInterfaceOfOriginalSgsTag(originalSgsTagKey('eni-0abc'))).toBe('eni-0abc');
    expect(networkInterfaceOfOriginalSgsTag('ir:original-sgs:')).toBeNull();
    expect(networkInterfaceOfOriginalSgsTag('ir:finding-id')).toBeNull();
  });

  it.each([
    ['ir:incident-id', true],
    ['ir:finding-id', true],
    ['ir:finding-type', true],
    ['ir:severity', true],
    ['ir:isolated-at', true],
    ['ir:original-instance-profile', true],
    ['ir:original-sgs:eni-0abc', true],
    // Set by people or by the snapshot step, never on the instance by the playbook.
    ['ir:exempt', false],
    ['ir:source-instance', false],
    ['ir:runbook', false],
    ['Name', false],
  ])('%s → %s', (key, expected) => {
    expect(isInstanceIncidentTag(key)).toBe(expected);
  });
});

describe('the names of the responder\'s security groups', () => {
  it('gives each created group a name with a suffix, and knows its own names (this version\'s and an earlier one\'s)', () => {
    expect(uniqueSecurityGroupName('untrack', '0a1b2c3d')).toBe('guardduty-ir-untrack-0a1b2c3d');
    expect(isResponderGroupName('guardduty-ir-untrack-0a1b2c3d', 'untrack')).toBe(true);
    expect(isResponderGroupName('guardduty-ir-isolation', 'isolation')).toBe(true);
    expect(isResponderGroupName('guardduty-ir-isolation-0a1b2c3d')).toBe(true);
  });

  it.each([['guardduty-ir-untrack-0a1b2c3d', 'isolation'], ['guardduty-ir-untrack-xyz', 'untrack'], ['web-prod', undefined], ['guardduty-ir-untrack-0a1b2c3d-copy', undefined]] as const)(
    '%s is not a responder name (purpose %s)',
    (name, purpose) => {
      expect(isResponderGroupName(name, purpose)).toBe(false);
    },
  );
});
