// Brings the aws-sdk-client-mock-jest matchers' types into every test (jest loads them in setupFilesAfterEnv).
import 'aws-sdk-client-mock-jest';
