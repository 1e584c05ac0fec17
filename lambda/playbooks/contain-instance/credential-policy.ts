import type { RuntimeConfig } from '../../config/schema';

/** Finding types that say the instance's own credentials were taken or exposed. */
const CREDENTIAL_THEFT_MARKERS = ['InstanceCredentialExfiltration', 'MetadataDNSRebind'] as const;

export interface CredentialDecision {
  readonly cut: boolean;
  /** The finding type implies the instance credentials were stolen. */
  readonly theft: boolean;
  readonly why: string;
}

export function impliesCredentialTheft(findingType: string): boolean {
  return CREDENTIAL_THEFT_MARKERS.some((marker) => findingType.includes(marker));
}

export function instanceCredentialDecision(findingType: string, policy: RuntimeConfig['revokeInstanceCredentials']): CredentialDecision {
  const theft = impliesCredentialTheft(findingType);
  switch (policy) {
    case 'always':
      return { cut: true, theft, why: 'revokeInstanceCredentials is "always"' };
    case 'never':
      return { cut: false, theft, why: `revokeInstanceCredentials is "never"${theft ? `, although ${findingType} implies credential theft` : ''}` };
    case 'on-credential-theft':
      return theft
        ? { cut: true, theft, why: `${findingType} implies the instance credentials were stolen` }
        : { cut: false, theft, why: `${findingType} does not imply credential theft (revokeInstanceCredentials is "on-credential-theft")` };
  }
}
