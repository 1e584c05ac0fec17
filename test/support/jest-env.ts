// Keep test output readable: the playbooks log through Powertools at INFO in Lambda.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_DEV = 'false';
// Never let a unit test reach a real endpoint or pick up an operator's credentials.
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
process.env.AWS_REGION = 'us-east-1';
delete process.env.AWS_PROFILE;
delete process.env.AWS_ENDPOINT_URL;
