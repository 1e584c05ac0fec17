import { instanceVerdict } from '../../../../lambda/playbooks/contain-instance/verdict';
import { containFacts } from '../../../support/aws-mocks/contain-facts';

describe('instanceVerdict', () => {
  it.each(['pending', 'running', 'stopping', 'stopped'])('lets a %s instance be contained', (state) => {
    expect(instanceVerdict(containFacts({ state }))).toBeNull();
  });

  it('blocks with a reason for each case where there is nothing to contain', () => {
    expect(instanceVerdict(containFacts({ instanceId: null, lookup: { status: 'missing-id' } }))).toEqual({
      id: 'no-instance-id',
      blocks: true,
      reason: 'the finding names no instance (resource.instanceDetails.instanceId is missing): there is nothing to contain',
    });
    expect(instanceVerdict(containFacts({ state: 'shutting-down' }))).toEqual({
      id: 'instance-terminated',
      blocks: true,
      reason: 'instance i-0a1b2c3d4e5f60718 is shutting-down: there is nothing left to contain',
    });
    expect(instanceVerdict(containFacts({ lookup: { status: 'unreadable', error: { code: 'AccessDenied', message: 'denied', retryable: false } } }))).toEqual({
      id: 'instance-unreadable',
      blocks: true,
      reason: 'instance i-0a1b2c3d4e5f60718 could not be read (AccessDenied: denied): nothing is changed without knowing its network interfaces',
    });
  });
});
