import { severityOf } from '../../../lambda/notify/severity';

describe('severityOf', () => {
  it.each([
    [8, 'HIGH 8.0'],
    [5.55, 'MEDIUM 5.55'],
    [3.9, 'LOW 3.9'],
    [10, 'CRITICAL 10.0'],
    // Beyond two places the number is cut, never rounded into another band.
    [6.99999, 'MEDIUM 6.99'],
    [9.123, 'CRITICAL 9.12'],
    [0.0000010000001062623732, 'LOW 0.00'],
    [1e-7, 'LOW 0.00'],
  ])('%s is shown as %s', (value, text) => {
    expect(severityOf(value).text).toBe(text);
  });
});
