import { createHash, createHmac } from 'node:crypto';

/*
 * STS as the decision function meets it when it checks an identity proof
 * (lambda/approval/verify-identity-proof.ts): a presigned GetCallerIdentity
 * arrives, and STS recomputes its SigV4 signature with the secret of the
 * access key it names. The emulator (moto) cannot do that: it neither
 * routes a presigned query request to STS nor checks any signature. So the
 * tests check it here, with their own SigV4 (node:crypto, written from AWS's
 * signing documentation, not the SDK's signer the CLI presigns with): a
 * proof the CLI made verifies only if the request the function rebuilt is
 * byte for byte what the operator signed (method, path, query, host, the
 * decision binding header).
 */

export interface StsPrincipal {
  readonly secretAccessKey: string;
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

export type StsCheck = { readonly status: 'valid'; readonly accessKeyId: string } | { readonly status: 'invalid'; readonly httpStatus: number; readonly code: string; readonly message: string };

const EMPTY_BODY_SHA256 = createHash('sha256').update('').digest('hex');

/** RFC 3986 encoding, as SigV4 canonicalises query keys and values. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * Checks a presigned SigV4 request as STS would: the access key must be
 * known, the signature recomputed over what arrived must match. Headers are
 * those that arrived (lower-case names), the host among them.
 */
export function checkPresigned(method: string, url: URL, headers: Readonly<Record<string, string>>, secrets: ReadonlyMap<string, string>): StsCheck {
  const query = url.searchParams;
  const credential = query.get('X-Amz-Credential') ?? '';
  const [accessKeyId = '', date = '', region = '', service = ''] = credential.split('/');
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) return { status: 'invalid', httpStatus: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
  const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';');
  const canonicalQuery = [...query.entries()]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [method, url.pathname || '/', canonicalQuery, canonicalHeaders, signedHeaders.join(';'), EMPTY_BODY_SHA256].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', query.get('X-Amz-Date') ?? '', scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const signature = hmac(signingKey, stringToSign).toString('hex');
  if (signature !== query.get('X-Amz-Signature')) {
    return { status: 'invalid', httpStatus: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' };
  }
  return { status: 'valid', accessKeyId };
}

export function stsIdentityXml(principal: Pick<StsPrincipal, 'arn' | 'account' | 'userId'>): string {
  return (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
    `<Arn>${principal.arn}</Arn><UserId>${principal.userId}</UserId><Account>${principal.account}</Account>` +
    '</GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>'
  );
}

export function stsErrorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ErrorResponse>`;
}

export interface FakeStsCall {
  readonly url: URL;
  readonly init: RequestInit | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** A fetch standing in for STS: checks each presigned request and answers for the principal whose key signed it. */
export function fakeStsFetch(principals: ReadonlyMap<string, StsPrincipal>): { readonly fetch: typeof fetch; readonly calls: FakeStsCall[] } {
  const calls: FakeStsCall[] = [];
  const secrets = new Map([...principals].map(([key, principal]) => [key, principal.secretAccessKey]));
  const fake = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const headers: Record<string, string> = { host: url.host };
    for (const [name, value] of new Headers(init?.headers).entries()) headers[name] = value;
    calls.push({ url, init, headers });
    const check = checkPresigned(init?.method ?? 'GET', url, headers, secrets);
    if (check.status === 'invalid') return Promise.resolve(new Response(stsErrorXml(check.code, check.message), { status: check.httpStatus, headers: { 'content-type': 'text/xml' } }));
    return Promise.resolve(new Response(stsIdentityXml(principals.get(check.accessKeyId)!), { status: 200, headers: { 'content-type': 'text/xml' } }));
  };
  return { fetch: fake as typeof fetch, calls };
}
