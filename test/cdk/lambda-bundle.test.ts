import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Metafile } from 'esbuild';
import { buildBundleCached } from '../../lib/lambda-bundle/cache';
import type { ServiceName } from '../../lambda/aws/clients';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { eagerOutputsOf } from '../../lib/lambda-bundle/build';
import { OWED_NOTE_WRITER_STEP_SPECS } from '../../lambda/close-loop/specs';
import { OWED_NOTE_CLIENT_CLASSES } from '../../lambda/handlers/security-hub-note';
import { APPROVAL_FUNCTION_NAMES, BUNDLE_FILE, LAMBDA_CREDENTIALS, OWED_NOTE_BUNDLE, PROJECT_ROOT, type ApprovalFunctionName } from '../../lib/lambda-bundle/options';
import { FIXTURES_DIR } from '../support/fixtures';
import { AFTER_CONTAINMENT, FIRST_USE_SERVICES, PLAYBOOK_ENTRIES } from '../support/playbook-entries';
import { SEQUENCE_MEMBERS } from '../../lambda/playbooks/answer-sequence/members';

/** Modules of another playbook a bundle may hold, because it reuses them on purpose (contain-database: the VPC's isolation group, found, verified or created). */
const SHARED_MODULES: Partial<Record<PlaybookName, readonly string[]>> = {
  'contain-database': [
    'facts.ts',
    'names.ts',
    'specs.ts',
    'stages.ts',
    'discovery/pages.ts',
    'discovery/read-security-groups.ts',
    'steps/security-groups.ts',
    'steps/aws-codes.ts',
    'steps/group-ref.ts',
    'steps/own-created-group.ts',
    'steps/verify-groups.ts',
  ].map((file) => `lambda/playbooks/contain-instance/${file}`),
};

const PACKAGE_OF: Readonly<Record<ServiceName, string>> = {
  ec2: 'client-ec2',
  iam: 'client-iam',
  sns: 'client-sns',
  autoScaling: 'client-auto-scaling',
  elbv2: 'client-elastic-load-balancing-v2',
  sts: 'client-sts',
  ecs: 'client-ecs',
  cloudTrail: 'client-cloudtrail',
  dynamodb: 'client-dynamodb',
  s3: 'client-s3',
  guardDuty: 'client-guardduty',
  securityHub: 'client-securityhub',
  rds: 'client-rds',
  backup: 'client-backup',
  scheduler: 'client-scheduler',
  lambda: 'client-lambda',
};

let dir: string;
const metafiles = new Map<PlaybookName, Metafile>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambda-bundle-'));
  for (const playbook of PLAYBOOK_NAMES) {
    metafiles.set(playbook, await buildBundleCached(playbook, join(dir, playbook)));
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The modules of which some code is in the outputs (esbuild also lists those it read and dropped whole). */
function inputsOf(playbook: PlaybookName, which: 'eager' | 'deferred' | 'all' = 'all'): string[] {
  const metafile = metafiles.get(playbook)!;
  const eager = eagerOutputsOf(metafile);
  return Object.entries(metafile.outputs)
    .filter(([path]) => which === 'all' || (which === 'eager') === eager.has(path))
    .flatMap(([, output]) => Object.entries(output.inputs))
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
}

const clientClassesIn = (inputs: readonly string[]) =>
  inputs
    .map((input) => /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\/dist-es\/[A-Za-z0-9]+Client\.js$/.exec(input)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();

describe.each(PLAYBOOK_NAMES)('the %s bundle', (playbook) => {
  it('loads the client classes of its entry point at cold start; S3 (the evidence), Security Hub (its note), Scheduler, Lambda and KMS (the wait for a decision and its signed links), and its own services needed only after containment, on first use; and no other', () => {
    const services = Object.keys(PLAYBOOK_ENTRIES[playbook].clientClasses) as ServiceName[];
    const deferred = FIRST_USE_SERVICES[playbook];
    expect(clientClassesIn(inputsOf(playbook, 'eager'))).toEqual(services.filter((s) => !deferred.includes(s)).map((s) => PACKAGE_OF[s]).sort());
    // Only the acting playbooks can wait for a decision: notify's bundle holds no Scheduler code.
    // KMS signs the decision links of a waiting response's email (lambda/approval/sdk-link-maker.ts): acting playbooks only.
    const acting = playbook !== 'notify';
    expect(clientClassesIn(inputsOf(playbook, 'deferred'))).toEqual(
      [...(acting ? ['client-kms'] : []), ...services.filter((s) => deferred.includes(s)).map((s) => PACKAGE_OF[s])].sort(),
    );
  });

  it('loads no code at cold start of a service its own steps call only after containment (revoke-credentials’ CloudTrail, the alias’s IAM): neither its client nor its commands nor its schemas', () => {
    // S3 and Lambda are different: block-public-access, quarantine-object and contain-function send their commands before containment, through a client class loaded on the first call.
    const deferredPackages = FIRST_USE_SERVICES[playbook].filter((s) => !AFTER_CONTAINMENT.includes(s)).map((s) => `node_modules/@aws-sdk/${PACKAGE_OF[s]}/`);
    expect(inputsOf(playbook, 'eager').filter((input) => deferredPackages.some((pkg) => input.includes(pkg)))).toEqual([]);
  });

  it('holds GuardDuty’s code (the confirmation before acting) only if the playbook acts: notify holds none', () => {
    const guardDuty = inputsOf(playbook).filter((input) => input.includes('node_modules/@aws-sdk/client-guardduty/'));
    if (playbook === 'notify') expect(guardDuty).toEqual([]);
    else {
      expect(guardDuty).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/GetFindingsCommand\.js$/),
          expect.stringMatching(/ListDetectorsCommand\.js$/),
          // The archive after a completed containment (lambda/close-loop/archiver.ts).
          expect.stringMatching(/ArchiveFindingsCommand\.js$/),
        ]),
      );
    }
  });

  it('holds no other playbook, but those whose steps it reuses in-process (answer-sequence: those it answers resources with; contain-database: contain-instance’s isolation-group modules)', () => {
    // contain-task contains an EC2-launch task's instance, contain-eks a node, with contain-instance's steps; contain-eks revokes with revoke-credentials'.
    const reused: Partial<Record<PlaybookName, readonly string[]>> = {
      'contain-task': ['contain-instance'],
      'contain-eks': ['contain-instance', 'revoke-credentials'],
      'answer-sequence': Object.keys(SEQUENCE_MEMBERS),
    };
    const others = PLAYBOOK_NAMES.filter((other) => other !== playbook && !(reused[playbook] ?? []).includes(other));
    const shared = SHARED_MODULES[playbook] ?? [];
    expect(inputsOf(playbook).filter((input) => others.some((other) => input.startsWith(`lambda/playbooks/${other}/`)) && !shared.includes(input))).toEqual([]);
  });

  it('reads credentials from the environment only: none of the SDK chain’s other providers or their nested clients', () => {
    expect(inputsOf(playbook).filter((input) => /@aws-sdk\/(credential-provider-(node|sso|ini|process|web-identity|login)|nested-clients)\//.test(input))).toEqual([]);
    expect(inputsOf(playbook)).toContain(LAMBDA_CREDENTIALS.slice(PROJECT_ROOT.length + 1));
  });
});

describe('the owed Security Hub note writer’s bundle (lambda/handlers/security-hub-note.ts)', () => {
  let metafile: Metafile;
  beforeAll(async () => {
    metafile = await buildBundleCached(OWED_NOTE_BUNDLE, join(dir, OWED_NOTE_BUNDLE));
  }, 120_000);
  const inputs = () =>
    Object.values(metafile.outputs)
      .flatMap((output) => Object.entries(output.inputs))
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);

  it('carries exactly the client classes of its entry point, the ledger’s and Security Hub’s, as its steps declare', () => {
    const services = Object.keys(OWED_NOTE_CLIENT_CLASSES) as ServiceName[];
    expect(services.sort()).toEqual(['dynamodb', 'securityHub']);
    const declared = [...new Set(OWED_NOTE_WRITER_STEP_SPECS.flatMap((spec) => spec.iamActions.map((action) => action.split(':')[0])))].sort();
    expect(declared).toEqual(['dynamodb', 'securityhub']);
    expect(clientClassesIn(inputs())).toEqual(services.map((s) => PACKAGE_OF[s]).sort());
  });

  it('holds no playbook, and no credential provider but the environment’s', () => {
    expect(inputs().filter((input) => input.startsWith('lambda/playbooks/') || input.startsWith('lambda/respond/'))).toEqual([]);
    expect(inputs().filter((input) => /@aws-sdk\/(credential-provider-(node|sso|ini|process|web-identity|login)|nested-clients)\//.test(input))).toEqual([]);
  });
});

describe('the approval channels’ bundles (lambda/handlers/approval-*.ts, security-hub-action.ts)', () => {
  const approvalMetafiles = new Map<ApprovalFunctionName, Metafile>();
  beforeAll(async () => {
    for (const name of APPROVAL_FUNCTION_NAMES) approvalMetafiles.set(name, await buildBundleCached(name, join(dir, name)));
  }, 120_000);
  function approvalInputs(name: ApprovalFunctionName, which: 'eager' | 'deferred' | 'all' = 'all'): string[] {
    const metafile = approvalMetafiles.get(name)!;
    const eager = eagerOutputsOf(metafile);
    return Object.entries(metafile.outputs)
      .filter(([path]) => which === 'all' || (which === 'eager') === eager.has(path))
      .flatMap(([, output]) => Object.entries(output.inputs))
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
  }
  const kmsCommandsIn = (inputs: readonly string[]) =>
    inputs
      .map((input) => /node_modules\/@aws-sdk\/client-kms\/dist-es\/commands\/([A-Za-z]+)Command\.js$/.exec(input)?.[1])
      .filter((name): name is string => name !== undefined)
      .sort();

  it.each([
    // The link function checks the token's MAC with KMS: its client is in the bundle, the SDK's, not a hand-signed call.
    ['approval-link', ['client-dynamodb', 'client-kms', 'client-lambda']],
    // The decision function resolves its region's STS endpoint for the identity proofs through the SDK's STS client config (lambda/aws/sts-endpoint.ts); it sends no STS command itself.
    ['approval-decide', ['client-dynamodb', 'client-lambda', 'client-sts']],
    ['approval-chat', ['client-dynamodb', 'client-lambda']],
    ['security-hub-action', ['client-guardduty', 'client-lambda']],
  ] as const)('%s loads exactly its clients at cold start; S3 (the decision’s evidence), where it keeps one, on first use', (name, clients) => {
    expect(clientClassesIn(approvalInputs(name, 'eager'))).toEqual(clients);
    expect(clientClassesIn(approvalInputs(name, 'deferred'))).toEqual(name === 'security-hub-action' ? [] : ['client-s3']);
  });

  it('the link function’s KMS client holds VerifyMac only: the one KMS call its role may make (lib/approval/grants.ts)', () => {
    expect(kmsCommandsIn(approvalInputs('approval-link'))).toEqual(['VerifyMac']);
  });

  it.each(APPROVAL_FUNCTION_NAMES)('%s signs no request by hand, and reads credentials from the environment only', (name) => {
    expect(approvalInputs(name)).not.toContain('lambda/aws/signed-request.ts');
    expect(approvalInputs(name).filter((input) => /@aws-sdk\/(credential-provider-(node|sso|ini|process|web-identity|login)|nested-clients)\//.test(input))).toEqual([]);
  });

  describe('the bundled link function, against a stand-in for KMS and DynamoDB', () => {
    let server: Server;
    let verifyMac: { valid: boolean };
    const calls: { target: string; authorization: string; body: Record<string, unknown> }[] = [];
    beforeAll(async () => {
      server = createServer((request: IncomingMessage, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          const target = String(request.headers['x-amz-target']);
          calls.push({ target, authorization: String(request.headers.authorization), body: JSON.parse(body) as Record<string, unknown> });
          if (target === 'TrentService.VerifyMac' && !verifyMac.valid) {
            // How KMS answers a MAC that does not match.
            response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'KMSInvalidMacException', message: 'invalid MAC' }));
          } else if (target === 'TrentService.VerifyMac') {
            response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ KeyId: 'k', MacValid: true, MacAlgorithm: 'HMAC_SHA_256' }));
          } else {
            const item = { pk: { S: 'approval#i-1' }, status: { S: 'pending' }, planHash: { S: 'a'.repeat(64) }, plan: { S: '[{"id":"isolate"}]' }, findingId: { S: 'f-1' } };
            response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ Item: { ...item, playbook: { S: 'contain-instance' }, accountId: { S: '111111111111' }, region: { S: 'us-east-1' }, requestedAt: { S: '2026-12-06T11:00:00Z' }, deadline: { S: '2099-01-01T00:00:00Z' }, onTimeout: { S: 'stand-down' } } }));
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('checks the token with KMS VerifyMac through the SDK client (the key from IR_APPROVAL_MAC_KEY, the role’s credentials), and shows a KMSInvalidMacException as a link that is not valid', async () => {
      const { port } = server.address() as AddressInfo;
      const payload = Buffer.from(JSON.stringify({ i: 'i-1', h: 'a'.repeat(64), d: 'approve', e: Math.floor(Date.now() / 1000) + 86_400, n: 'n'.repeat(24) })).toString('base64url');
      const mac = Buffer.alloc(32, 5);
      const token = `v1.${payload}.${mac.toString('base64url')}`;
      const keyArn = 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555';
      const bundle = pathToFileURL(join(dir, 'approval-link', BUNDLE_FILE)).href;
      const open = async () => {
        const script = `
          const { handler } = await import(${JSON.stringify(bundle)});
          const page = await handler({ rawPath: '/', rawQueryString: ${JSON.stringify(`t=${token}`)}, requestContext: { http: { method: 'GET' } } });
          console.log(JSON.stringify({ statusCode: page.statusCode, body: page.body }));`;
        const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
          cwd: PROJECT_ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            AWS_REGION: 'us-east-1',
            AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
            AWS_ACCESS_KEY_ID: 'ASIALINKROLE',
            AWS_SECRET_ACCESS_KEY: 'role-secret',
            AWS_SESSION_TOKEN: 'role-token',
            IR_LEDGER_TABLE: 'incident-ledger',
            IR_PLAYBOOK_FUNCTIONS: JSON.stringify({ 'contain-instance': 'ir-contain-instance' }),
            IR_APPROVAL_MAC_KEY: keyArn,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        });
        return JSON.parse(stdout.trim().split('\n').pop()!) as { statusCode: number; body: string };
      };

      verifyMac = { valid: true };
      await expect(open()).resolves.toMatchObject({ statusCode: 200 });
      expect(calls.map((c) => c.target)).toEqual(['TrentService.VerifyMac', 'DynamoDB_20120810.GetItem']);
      expect(calls[0]!.body).toEqual({
        KeyId: keyArn,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(`ir-approval-link-v1\n${payload}`).toString('base64'),
        Mac: mac.toString('base64'),
      });
      for (const call of calls) expect(call.authorization).toContain('Credential=ASIALINKROLE/');

      calls.length = 0;
      verifyMac = { valid: false };
      const refused = await open();
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('This approval link is not valid');
      expect(refused.body).toContain('the approval token was not signed by this stack, or was changed after signing');
      expect(calls.map((c) => c.target)).toEqual(['TrentService.VerifyMac']);
    }, 60_000);
  });
});

describe('a bundled handler', () => {
  let server: Server;
  const received: { method: string; target: string; authorization: string; token: string; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({
          method: request.method ?? '',
          target: request.url ?? '',
          authorization: String(request.headers.authorization),
          token: String(request.headers['x-amz-security-token']),
          body,
        });
        // S3 PutObject (path style behind a custom endpoint): an empty 200 with the new version.
        if (request.method === 'PUT') {
          response.writeHead(200, { 'x-amz-version-id': 'v1', etag: '"e1"' });
          response.end();
          return;
        }
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('signs its calls with the role credentials Lambda puts in the environment, and writes the evidence through the S3 chunk', async () => {
    const { port } = server.address() as AddressInfo;
    const bundle = pathToFileURL(join(dir, 'notify', BUNDLE_FILE)).href;
    // Not a sample finding: its evidence is written, through the S3 chunk the bundle imports then.
    const script = `
      import { readFileSync } from 'node:fs';
      const { handler } = await import(${JSON.stringify(bundle)});
      const event = JSON.parse(readFileSync(${JSON.stringify(join(FIXTURES_DIR, 'notify', 'port-probe-unprotected.event.json'))}, 'utf8'));
      const report = await handler(event, { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:ir-notify' });
      console.log(JSON.stringify(report.steps.map((s) => [s.id, s.status])));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
        AWS_ACCESS_KEY_ID: 'ASIALAMBDAROLE',
        AWS_SECRET_ACCESS_KEY: 'role-secret',
        AWS_SESSION_TOKEN: 'role-token',
        IR_PLAYBOOK: 'notify',
        IR_RUNTIME_CONFIG: JSON.stringify({ mode: 'enforce' }),
        IR_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:ir-topic',
        IR_EVIDENCE_BUCKET: 'ir-evidence',
        IR_EVIDENCE_KEY_ARN: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    const steps = new Map(JSON.parse(stdout.trim().split('\n').pop()!) as [string, string][]);
    expect(['notify', 'evidence:finding.json', 'evidence:plan.json', 'evidence:report.json'].map((id) => [id, steps.get(id)])).toEqual([
      ['notify', 'done'],
      ['evidence:finding.json', 'done'],
      ['evidence:plan.json', 'done'],
      ['evidence:report.json', 'done'],
    ]);
    const publish = received.filter((r) => r.method === 'POST');
    const puts = received.filter((r) => r.method === 'PUT');
    expect(publish).toHaveLength(1);
    expect(publish[0]!.body).toContain('Action=Publish');
    expect(puts.map((r) => r.target.split('?')[0]!.split('/')).map((path) => [path[1], path.pop()])).toEqual([
      ['ir-evidence', 'finding.json'],
      ['ir-evidence', 'plan.json'],
      ['ir-evidence', 'report.json'],
    ]);
    for (const request of received) {
      expect(request.authorization).toContain('Credential=ASIALAMBDAROLE/');
      expect(request.token).toBe('role-token');
    }
  }, 60_000);
});
