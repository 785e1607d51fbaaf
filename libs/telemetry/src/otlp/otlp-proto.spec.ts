import { decodeRpcStatus, encodeRpcStatus } from './otlp-proto';

describe('otlp-proto', () => {
  it('round-trips google.rpc.Status, the protobuf error body', () => {
    expect(decodeRpcStatus(encodeRpcStatus(3, 'invalid span id'))).toEqual({ code: 3, message: 'invalid span id' });
  });

  it('refuses bytes that are not a message', () => {
    expect(() => decodeRpcStatus(Uint8Array.from([0x0a, 0xff]))).toThrow();
  });
});
