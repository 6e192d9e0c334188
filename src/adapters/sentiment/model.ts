/** A sentiment model: scores a batch of texts; every answer names the model that gave it. */
import type { Sentiment } from "../../domain/news/sentiment.ts";

export interface SentimentModel {
  /** "lexicon-v1", "finbert:<folder>". */
  readonly name: string;
  /** One Sentiment per text, in order. */
  score(texts: readonly string[]): Promise<Sentiment[]>;
}
