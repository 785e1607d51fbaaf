/**
 * Client protocols other than OpenAI chat completions, translated to and from the pipeline's chat types:
 * pure functions, no I/O. The router's edges for these protocols parse with them, call the GatewayClient,
 * and write the answer (JSON or the protocol's stream events) with them.
 */
export * from './messages';
export * from './responses';
