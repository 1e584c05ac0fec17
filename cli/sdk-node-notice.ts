/*
 * On Node.js 20 the AWS SDK prints, at its first client, a notice that its
 * releases after January 2027 need Node.js 22. It says nothing about the
 * command being run (the Lambdas run on nodejs22.x; the locked SDK runs on
 * 20), so the local entry points (`ir`, `make bench`) turn it off, as the
 * Makefile does for its targets. An explicit value in the environment wins.
 */
export function silenceSdkNodeVersionNotice(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
