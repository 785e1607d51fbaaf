export * from './base';
export { AnthropicMockServer, anthropicAnswer, validateAnthropicBody } from './anthropic';
export { GeminiMockServer, geminiAnswer, validateGeminiBody, validateGeminiSchema, validateThoughtSignatures, SKIP_THOUGHT_SIGNATURE, type ThoughtSignatures } from './gemini';
export { BedrockMockServer, bedrockAnswer, validateConverseBody, eventFrame, exceptionFrame, type BedrockMockCredentials } from './bedrock';
export { mockVector, mockTokens, GEMINI_BATCH_LIMIT, COHERE_BATCH_LIMIT } from './embeddings';
