export * from './mock-s3-server';
export { verifySigV4, type SignedRequest, type SigV4Result } from './sigv4';
