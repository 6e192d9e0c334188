/**
 * Preloaded for every test file (bunfig.toml): Bun's default of 5 s per test is too short for a
 * test that spawns the binary or starts services on a loaded 2-core machine, and bunfig has no
 * timeout setting that `bun test` honours. A test that needs longer still says so itself.
 */
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(60_000);
