import { compareCodePoints } from '../../../lambda/text/compare';

describe('compareCodePoints', () => {
  it('orders security group ids as < does, equal ones 0', () => {
    expect(['sg-0b', 'sg-0a2', 'sg-0a1', 'sg-0a1'].sort(compareCodePoints)).toEqual(['sg-0a1', 'sg-0a1', 'sg-0a2', 'sg-0b']);
    expect(compareCodePoints('sg-1', 'sg-1')).toBe(0);
    expect(compareCodePoints('sg-1', 'sg-2')).toBe(-1);
    expect(compareCodePoints('sg-2', 'sg-1')).toBe(1);
  });

  it('is not a locale order: upper case before lower case, by code unit', () => {
    expect(['b', 'B', 'a', 'A'].sort(compareCodePoints)).toEqual(['A', 'B', 'a', 'b']);
  });
});
