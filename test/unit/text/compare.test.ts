import { compareCodeUnits } from '../../../lambda/text/compare';

describe('compareCodeUnits', () => {
  it('orders security group ids as < does, equal ones 0', () => {
    expect(['sg-0b', 'sg-0a2', 'sg-0a1', 'sg-0a1'].sort(compareCodeUnits)).toEqual(['sg-0a1', 'sg-0a1', 'sg-0a2', 'sg-0b']);
    expect(compareCodeUnits('sg-1', 'sg-1')).toBe(0);
    expect(compareCodeUnits('sg-1', 'sg-2')).toBe(-1);
    expect(compareCodeUnits('sg-2', 'sg-1')).toBe(1);
  });

  it('is not a locale order: upper case before lower case, by UTF-16 code unit', () => {
    expect(['b', 'B', 'a', 'A'].sort(compareCodeUnits)).toEqual(['A', 'B', 'a', 'b']);
  });
});
