// Keep test output readable: the playbooks log through Powertools at INFO in Lambda.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_DEV = 'false';
// Never let a unit test reach a real endpoint or pick up an operator's credentials.
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
process.env.AWS_REGION = 'us-east-1';
delete process.env.AWS_PROFILE;
delete process.env.AWS_ENDPOINT_URL;
// aws-cdk-lib checks every synthesised template with its built-in CloudFormation validation, a
// WebAssembly engine costing seconds of CPU per synthesis (most of a CDK test file's time), and
// only warns: the app does not opt into failing on it (@aws-cdk/core:validateAgainstDefaultRules).
// No test reads those warnings. `make synth` still runs it on the real templates, and cfn-lint and
// checkov fail on what they find there (make lint-templates).
process.env.CDK_VALIDATION = 'false';
// The SDK's notice that its releases from January 2027 need Node 22 is noise here (the Lambdas run nodejs22.x);
// `make test` sets this too (Makefile), and a test file run by hand with `npx jest` stays as quiet.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
