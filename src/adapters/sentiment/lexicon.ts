/** The finance lexicon as a SentimentModel: always available, no files needed. */
import { LEXICON_MODEL, lexiconSentiment } from "../../domain/news/lexicon.ts";
import type { SentimentModel } from "./model.ts";

export const lexiconModel: SentimentModel = {
  name: LEXICON_MODEL,
  score: async (texts) => texts.map(lexiconSentiment),
};
