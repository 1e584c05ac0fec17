import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { inlineSchemaKeys, inlineSdkSchemaKeys } from '../../lib/lambda-bundle/sdk-schema-keys';
import { ESM_REQUIRE_BANNER, PROJECT_ROOT } from '../../lib/lambda-bundle/options';

describe('inlineSchemaKeys', () => {
  it('writes the string of a module constant in place of a computed key', () => {
    const source = ['const _eQN = "ec2QueryName";', 'const _xN = "xmlName";', 'export var A$ = [3, n0, _A, 0, [_M], [[1, { [_eQN]: `Min`,', '    [_xN]: _m }]]];'].join('\n');
    const { contents, inlined } = inlineSchemaKeys(source);
    expect(inlined).toBe(2);
    expect(contents).toContain('[[1, { "ec2QueryName": `Min`,\n    "xmlName": _m }]]');
  });

  it('leaves computed keys of unknown names, member access and ternaries alone', () => {
    const source = ['const _a = "a";', 'let _b = "b";', 'const x = { [_b]: 1, [other]: 2 };', 'const y = flag ? map[_a] : map[_a];', 'const z = m[_a];'].join('\n');
    expect(inlineSchemaKeys(source)).toEqual({ contents: source, inlined: 0 });
  });

  it('keeps escapes inside the constant as they are', () => {
    const { contents } = inlineSchemaKeys('const _q = "say \\"hi\\"";\nconst o = { [_q]: 1 };');
    expect(contents).toBe('const _q = "say \\"hi\\"";\nconst o = { "say \\"hi\\"": 1 };');
  });
});

/** An EC2 client with two commands, bundled as the playbooks are, with or without the plugin. */
async function bundleEc2(withPlugin: boolean, outfile: string): Promise<number> {
  const result = await build({
    stdin: { contents: "export { EC2Client, ModifyNetworkInterfaceAttributeCommand, CreateSnapshotsCommand } from '@aws-sdk/client-ec2';", resolveDir: PROJECT_ROOT, loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    plugins: withPlugin ? [inlineSdkSchemaKeys()] : [],
    metafile: true,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs)[0]!.bytes;
}

/** The query string the client sends for one ModifyNetworkInterfaceAttribute and one CreateSnapshots call (captured before it leaves). */
function requestBodiesOf(moduleUrl: string): string {
  const script = `
    const sdk = await import(${JSON.stringify(moduleUrl)});
    const client = new sdk.EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'x' } });
    const bodies = [];
    client.middlewareStack.add((next) => async (args) => { bodies.push(args.request.body); throw new Error('captured'); }, { step: 'finalizeRequest' });
    for (const command of [
      new sdk.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-1', Groups: ['sg-1', 'sg-2'] }),
      new sdk.CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: 'i-1', ExcludeBootVolume: false }, CopyTagsFromSource: 'volume',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'incident', Value: 'ir-1' }] }] }),
    ]) await client.send(command).catch(() => undefined);
    console.log(JSON.stringify(bodies));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } }).trim();
}

describe('the plugin in a real esbuild bundle', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'schema-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets esbuild drop the EC2 shapes nothing uses, and the client sends byte for byte the same requests', async () => {
    const plain = join(dir, 'plain.mjs');
    const shaken = join(dir, 'shaken.mjs');
    const plainBytes = await bundleEc2(false, plain);
    const shakenBytes = await bundleEc2(true, shaken);
    // Without it, every EC2 shape stays in (over 550 kB); with it, those of the two commands.
    expect(plainBytes).toBeGreaterThan(700_000);
    expect(shakenBytes).toBeLessThan(plainBytes / 2.5);

    const unbundled = join(dir, 'unbundled.mjs');
    writeFileSync(unbundled, `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(join(PROJECT_ROOT, 'package.json'))}); const sdk = require('@aws-sdk/client-ec2'); export const { EC2Client, ModifyNetworkInterfaceAttributeCommand, CreateSnapshotsCommand } = sdk;`);
    const expected = requestBodiesOf(pathToFileURL(unbundled).href);
    expect(expected).toContain('SecurityGroupId.1=sg-1');
    expect(expected).toContain('TagSpecification.1.Tag.1.Key=incident');
    expect(requestBodiesOf(pathToFileURL(shaken).href)).toBe(expected);
    expect(requestBodiesOf(pathToFileURL(plain).href)).toBe(expected);
  }, 60_000);
});
