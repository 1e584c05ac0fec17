import { BRAKE_MEMORY_MS, brakeFullRecently, forgetBrake, noteBrakeFull } from '../../../lambda/respond/brake-memory';

describe('what a warm container remembers of the blast-radius brake', () => {
  afterEach(() => forgetBrake());

  it('nothing seen: the early move may go', () => {
    expect(brakeFullRecently(1_000_000)).toBe(false);
  });

  it('the brake found full: no early move for the brake’s hour, then again', () => {
    noteBrakeFull(1_000_000);
    expect(brakeFullRecently(1_000_000)).toBe(true);
    expect(brakeFullRecently(1_000_000 + BRAKE_MEMORY_MS - 1)).toBe(true);
    expect(brakeFullRecently(1_000_000 + BRAKE_MEMORY_MS)).toBe(false);
  });
});
