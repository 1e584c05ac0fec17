import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/*
 * The AWS SDK's generated schema modules (dist-es/schemas/schemas_0.js)
 * describe every shape of a service as a top-level array. Shapes of the
 * EC2 and S3 protocols carry traits written as object literals with
 * computed keys naming module constants: `{ [_xN]: "groupSet" }`. esbuild
 * must assume that computing a key can have side effects, so it keeps every
 * such shape, and with them the whole service: 550 kB of EC2 shapes for the
 * eight EC2 calls a playbook makes (aws/aws-sdk-js-v3#7607). Writing the
 * constant's string in place of the computed key changes nothing at run
 * time and lets esbuild drop the shapes nothing uses.
 */

const SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
/** `const _xN = "xmlName";` at the start of a line: the module's string constants. */
const STRING_CONSTANT = /^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm;
/** `[_xN]:` right after `{` or `,`: a computed key in an object literal (not an index inside a ternary). */
const COMPUTED_KEY = /([{,]\s*)\[(_\w+)\]:/g;

export interface InlinedSource {
  readonly contents: string;
  /** How many computed keys became string keys. */
  readonly inlined: number;
}

/** Replaces each computed key naming one of the module's string constants by that string. Other computed keys stay. */
export function inlineSchemaKeys(source: string): InlinedSource {
  const constants = new Map<string, string>();
  for (const match of source.matchAll(STRING_CONSTANT)) constants.set(match[1]!, match[2]!);
  let inlined = 0;
  const contents = source.replace(COMPUTED_KEY, (whole: string, before: string, name: string) => {
    const value = constants.get(name);
    if (value === undefined) return whole;
    inlined += 1;
    return `${before}${value}:`;
  });
  return { contents, inlined };
}

export function inlineSdkSchemaKeys(): Plugin {
  return {
    name: 'inline-sdk-schema-keys',
    setup(build) {
      build.onLoad({ filter: SCHEMA_MODULE }, async (args) => ({
        contents: inlineSchemaKeys(await readFile(args.path, 'utf8')).contents,
        loader: 'js',
      }));
    },
  };
}
