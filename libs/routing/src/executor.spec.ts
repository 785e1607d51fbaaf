import { splitUrl } from './executor';

describe('splitUrl', () => {
  it.each([
    ['https://api.openai.com/v1/chat/completions', 'https://api.openai.com', '/v1/chat/completions'],
    ['http://127.0.0.1:8000/v1/chat/completions?api-version=2024-10-21', 'http://127.0.0.1:8000', '/v1/chat/completions?api-version=2024-10-21'],
    ['https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude%3A0/converse', 'https://bedrock-runtime.us-east-1.amazonaws.com', '/model/anthropic.claude%3A0/converse'],
    ['http://[::1]:9000', 'http://[::1]:9000', '/'],
  ])('%s', (url, origin, path) => {
    expect(splitUrl(url)).toEqual({ origin, path });
  });
});
