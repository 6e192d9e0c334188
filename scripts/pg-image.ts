/**
 * Run by `bun install` (postinstall): builds the pre-initialised PostgreSQL image once, so neither
 * the first `bun run start` nor the tests pay PGlite's initdb (~6 s, ~1 GB) on the user's time.
 */
import { ensurePgImage } from "../src/adapters/db/pg-image.ts";

const started = performance.now();
await ensurePgImage();
console.log(`embedded PostgreSQL image ready (${Math.round(performance.now() - started)} ms)`);
