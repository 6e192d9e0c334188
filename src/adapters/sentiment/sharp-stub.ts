/**
 * Stands in for `sharp`, the native image library transformers.js imports for its image pipelines:
 * Catalyst classifies text only, and the binary could not load sharp's addon anyway.
 */
export default function sharp(): never {
  throw new Error("image processing is not part of Catalyst (sharp is stubbed out)");
}
