import { CredentialsProviderError } from '@smithy/core/config';
import { defaultProvider } from '../../../lambda/aws/lambda-credentials';

const VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION'] as const;
let saved: Partial<Record<(typeof VARS)[number], string>>;

beforeEach(() => {
  saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]));
  for (const name of VARS) delete process.env[name];
});
afterEach(() => {
  for (const name of VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('the Lambda bundles’ default credential provider', () => {
  it('answers with the role credentials Lambda puts in the environment, session token included', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIALAMBDAROLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'role-secret';
    process.env.AWS_SESSION_TOKEN = 'role-token';
    await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'ASIALAMBDAROLE', secretAccessKey: 'role-secret', sessionToken: 'role-token' });
  });

  it('fails as the SDK chain fails when the environment has none, and looks nowhere else', async () => {
    process.env.AWS_PROFILE = 'never-read';
    try {
      await expect(defaultProvider()()).rejects.toBeInstanceOf(CredentialsProviderError);
    } finally {
      delete process.env.AWS_PROFILE;
    }
  });
});
