/**
 * Presigned uploads of import files to the imports bucket: a PUT URL for one key, valid for a few
 * minutes. The S3 client is created once; on a host without a bucket (the local host) there is none.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { importUploadEnv, readConfig } from '../config.ts';

export interface UploadUrls {
  /** A URL that takes one HTTP PUT of the file to `key`, for `seconds`. */
  putUrl(key: string, seconds: number): Promise<string>;
}

const config = readConfig(importUploadEnv);

export class S3UploadUrls implements UploadUrls {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.client = client;
    this.bucket = bucket;
  }

  async putUrl(key: string, seconds: number): Promise<string> {
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: seconds });
  }
}

/** The uploads of this host, or undefined where import files go in the request body. */
export const uploadUrls: UploadUrls | undefined = config.COMEBACK_IMPORT_BUCKET
  ? new S3UploadUrls(new S3Client(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}), config.COMEBACK_IMPORT_BUCKET)
  : undefined;
