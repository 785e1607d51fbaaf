/** The Converse / ConverseStream wire types the adapter reads (request bodies are built as plain objects). */
export interface BedrockUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface BedrockToolUse {
  toolUseId: string;
  name: string;
  input?: unknown;
}

export interface BedrockContentBlock {
  text?: string;
  toolUse?: BedrockToolUse;
  reasoningContent?: { reasoningText?: { text?: string; signature?: string }; redactedContent?: string };
  [k: string]: unknown;
}

export interface ConverseResponse {
  output?: { message?: { role: string; content?: BedrockContentBlock[] } };
  stopReason?: string;
  usage?: BedrockUsage;
}

/** ConverseStream event payloads by `:event-type` (fields optional as received). */
export interface ConverseStreamPayloads {
  messageStart: { role?: string };
  contentBlockStart: { contentBlockIndex?: number; start?: { toolUse?: Partial<BedrockToolUse> } };
  contentBlockDelta: {
    contentBlockIndex?: number;
    delta?: { text?: string; toolUse?: { input?: string }; reasoningContent?: { text?: string; signature?: string; redactedContent?: string } };
  };
  contentBlockStop: { contentBlockIndex?: number };
  messageStop: { stopReason?: string };
  metadata: { usage?: BedrockUsage };
}

/** One decoded ConverseStream event: its type (the `:event-type` header) with its JSON payload. */
export type ConverseStreamEvent = { [K in keyof ConverseStreamPayloads]: { type: K; payload: ConverseStreamPayloads[K] } }[keyof ConverseStreamPayloads];
