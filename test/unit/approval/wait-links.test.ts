import { approvalLinksIn } from '../../../lambda/approval/links-in-output';

/* What the notification steps accept as the decision links of the request step's output (lambda/approval/wait-links.ts). */

describe('approvalLinksIn', () => {
  const links = { approve: 'https://x.lambda-url.eu-west-1.on.aws/?t=a', deny: 'https://x.lambda-url.eu-west-1.on.aws/?t=d' };

  it('takes two https links', () => {
    expect(approvalLinksIn(links)).toEqual(links);
    expect(approvalLinksIn({ ...links, extra: 1 })).toEqual(links);
  });

  it('refuses anything else: no output, a missing link, a link that is not https', () => {
    expect(approvalLinksIn(undefined)).toBeUndefined();
    expect(approvalLinksIn('https://x')).toBeUndefined();
    expect(approvalLinksIn({ approve: links.approve })).toBeUndefined();
    expect(approvalLinksIn({ ...links, deny: 'http://x/?t=d' })).toBeUndefined();
    expect(approvalLinksIn({ ...links, approve: 'javascript:alert(1)' })).toBeUndefined();
  });
});
