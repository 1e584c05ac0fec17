import { impliesCredentialTheft, instanceCredentialDecision } from '../../../../lambda/playbooks/contain-instance/credential-policy';

describe('instanceCredentialDecision', () => {
  it.each([
    ['UnauthorizedAccess:EC2/MetadataDNSRebind', true],
    ['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', true],
    ['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS', true],
    ['CryptoCurrency:EC2/BitcoinTool.B', false],
    ['Backdoor:EC2/C&CActivity.B!DNS', false],
  ])('%s implies credential theft: %s', (type, theft) => {
    expect(impliesCredentialTheft(type)).toBe(theft);
  });

  it('cuts on theft by default, always with "always", never with "never"', () => {
    const rebind = 'UnauthorizedAccess:EC2/MetadataDNSRebind';
    const crypto = 'CryptoCurrency:EC2/BitcoinTool.B';
    expect(instanceCredentialDecision(rebind, 'on-credential-theft')).toEqual({ cut: true, theft: true, why: `${rebind} implies the instance credentials were stolen` });
    expect(instanceCredentialDecision(crypto, 'on-credential-theft')).toMatchObject({ cut: false, theft: false });
    expect(instanceCredentialDecision(crypto, 'always')).toEqual({ cut: true, theft: false, why: 'revokeInstanceCredentials is "always"' });
    expect(instanceCredentialDecision(rebind, 'never')).toEqual({
      cut: false,
      theft: true,
      why: `revokeInstanceCredentials is "never", although ${rebind} implies credential theft`,
    });
  });
});
