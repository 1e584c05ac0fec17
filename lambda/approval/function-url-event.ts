import * as z from '../zod';

/*
 * The part of a Lambda function URL request (payload format 2.0) the
 * decision functions read. With AuthType AWS_IAM, Lambda has verified the
 * SigV4 signature before the function runs and puts the signer's identity
 * in requestContext.authorizer.iam; with AuthType NONE there is no
 * authorizer and nobody is identified.
 */

const iamAuthorizerSchema = z.looseObject({
  accessKey: z.optional(z.string()),
  accountId: z.optional(z.string()),
  callerId: z.optional(z.string()),
  userArn: z.optional(z.string()),
  userId: z.optional(z.string()),
});

export const functionUrlEventSchema = z.looseObject({
  rawPath: z.string(),
  rawQueryString: z.optional(z.string()),
  headers: z.optional(z.record(z.string(), z.string())),
  body: z.optional(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
  requestContext: z.looseObject({
    http: z.looseObject({ method: z.string(), sourceIp: z.optional(z.string()), userAgent: z.optional(z.string()) }),
    authorizer: z.optional(z.looseObject({ iam: z.optional(iamAuthorizerSchema) })),
  }),
});

export type FunctionUrlEvent = z.infer<typeof functionUrlEventSchema>;

export function isFunctionUrlEvent(event: unknown): boolean {
  return functionUrlEventSchema.safeParse(event).success;
}

export function parseFunctionUrlEvent(event: unknown): FunctionUrlEvent | undefined {
  const parsed = functionUrlEventSchema.safeParse(event);
  return parsed.success ? parsed.data : undefined;
}

/** The body as text (Lambda base64-encodes a body it does not take for text). */
export function bodyText(event: FunctionUrlEvent): string {
  if (event.body === undefined) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

export function queryParameter(event: FunctionUrlEvent, name: string): string | undefined {
  return new URLSearchParams(event.rawQueryString ?? '').get(name) ?? undefined;
}

/**
 * The verified caller of an AWS_IAM function URL: the ARN of the principal
 * whose credentials signed the request. Undefined without one (the URL is
 * not AWS_IAM, or the event did not come through the URL): the caller must
 * then refuse, never fall back to a name from the request. It is only as
 * true as the way the event came: a direct invoke can write it. So it lets
 * `ir pending` read; a decision is recorded as the principal STS proves
 * (verify-identity-proof.ts), which this ARN must then match.
 */
export function verifiedCaller(event: FunctionUrlEvent): { readonly arn: string; readonly accountId: string | undefined } | undefined {
  const iam = event.requestContext.authorizer?.iam;
  if (!iam?.userArn || !/^arn:aws[a-z-]*:(iam|sts)::\d{12}:/.test(iam.userArn)) return undefined;
  return { arn: iam.userArn, accountId: iam.accountId };
}
