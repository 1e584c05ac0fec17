import { chatText } from '../../../lambda/text/chat';

describe('chatText', () => {
  it.each([
    ['<!channel> please', '&lt;!channel&gt; please'],
    ['<!here|here>', '&lt;!here|here&gt;'],
    ['<@U0123ABC>', '&lt;(at)U0123ABC&gt;'],
    ['@here @channel @everyone', '(at)here (at)channel (at)everyone'],
    ['`code` and ```block```', "'code' and '''block'''"],
    ['[click](https://evil.example/x)', '[click] (hxxps[:]//evil.example/x)'],
    ['<https://evil.example|DONE>', '&lt;hxxps[:]//evil.example|DONE&gt;'],
    ['*DONE* ~gone~ _web_tier_', '\\*DONE\\* \\~gone\\~ _web_tier_'],
    ['a &amp; b', 'a &amp;amp; b'],
    ['line\nbreak \u202eRTL', 'line\\nbreak \\u202eRTL'],
  ])('writes %j as inert text: %j', (input, expected) => {
    expect(chatText(input)).toBe(expected);
  });

  it('bounds a value', () => {
    expect(chatText('x'.repeat(1000), 50)).toMatch(/^x+\.\.\.\[\d+ more characters\]$/);
    expect(chatText('x'.repeat(1000), 50).length).toBeLessThanOrEqual(50);
  });
});
