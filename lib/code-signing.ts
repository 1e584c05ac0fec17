import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/**
 * Optional Lambda code signing (config.codeSigning): one code-signing
 * configuration for the stack's playbook functions, accepting only code
 * signed by the named AWS Signer profile versions. Unsigned or otherwise
 * signed code is refused (Enforce), so whoever can update the functions'
 * code but cannot sign with these profiles cannot replace the code that
 * holds the responder's IAM-write power. The deployment pipeline must sign
 * the bundles (aws signer start-signing-job) before `cdk deploy`.
 *
 * The L1 resource: the profiles are named by version ARN as configured,
 * possibly in another account (the L2 would rebuild their ARNs in this one).
 */
export function playbookCodeSigningConfig(scope: Construct, signingProfileVersionArns: readonly string[]): lambda.ICodeSigningConfig {
  const config = new lambda.CfnCodeSigningConfig(scope, 'PlaybookCodeSigning', {
    allowedPublishers: { signingProfileVersionArns: [...signingProfileVersionArns] },
    codeSigningPolicies: { untrustedArtifactOnDeployment: 'Enforce' },
    description: 'GuardDuty incident response: the playbook functions run only code signed by these profiles',
  });
  return lambda.CodeSigningConfig.fromCodeSigningConfigArn(scope, 'PlaybookCodeSigningRef', config.attrCodeSigningConfigArn);
}
