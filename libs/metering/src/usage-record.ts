import type { TokenUsage } from './token-usage';

/** What one model call consumed: who served it, its tokens by bucket, and its cost (null when unpriced). */
export interface UsageRecord {
  provider: string;
  /** The provider's own model id (what was priced). */
  model: string;
  tokens: TokenUsage;
  /** USD; a cost the provider reported itself wins over the catalog's; null when the model has no price. */
  cost: number | null;
}
