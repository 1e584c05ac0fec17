import { isInstanceIncidentTag, networkInterfaceOfOriginalSgsTag, originalSgsTagKey } from '../../../../lambda/playbooks/contain-instance/names';

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
