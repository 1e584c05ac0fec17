/*
 * The S3 SDK as the evidence uses it, imported with import() only: a Lambda
 * bundle keeps it in a chunk loaded when the first evidence object is
 * written, after containment. A module of its own, so the chunk holds these
 * two and not every S3 command (esbuild keeps all of a namespace import()).
 */
export { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
