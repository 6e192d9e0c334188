/**
 * The FinBERT path for real: a tiny BERT-shaped classifier generated into a temp folder, loaded
 * through @xenova/transformers and ONNX Runtime exactly as a real FinBERT export would be; and
 * the lexicon fallback, with its reason logged, when the folder is missing or broken.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { finbertModel } from "../../src/adapters/sentiment/finbert.ts";
import { loadSentimentModel } from "../../src/adapters/sentiment/load.ts";
import { findModelFolder } from "../../src/adapters/sentiment/model-folder.ts";
import { LEXICON_MODEL } from "../../src/domain/news/lexicon.ts";
import type { Logger } from "../../src/runtime/log.ts";
import { tempDir } from "../support/env.ts";
import { writeTinySentimentModel } from "../support/tiny-sentiment-model.ts";

const work = tempDir("catalyst-finbert-");
afterAll(() => work.remove());

function recordingLogger() {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => void lines.push({ level, msg, fields });
  const log: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { log, lines };
}

describe("the tiny FinBERT-shaped model through @xenova/transformers", () => {
  const dir = writeTinySentimentModel(join(work.path, "tiny-finbert"));

  test("the folder passes the layout check (quantized file preferred, as transformers.js does)", () => {
    expect(findModelFolder(dir)).toEqual({ ok: true, dir, quantized: true });
    // CATALYST_MODELS_DIR may also be a folder holding it as finbert/.
    const parent = join(work.path, "models");
    writeTinySentimentModel(join(parent, "finbert"));
    expect(findModelFolder(parent)).toEqual({ ok: true, dir: join(parent, "finbert"), quantized: true });
  });

  test("positive and negative headlines get the right labels, scores p(pos) − p(neg), and the model's name", async () => {
    const model = await finbertModel(dir, true);
    expect(model.name).toBe("finbert:tiny-finbert");
    const [up, down, flat] = await model.score([
      "Acme beats estimates as shares surge",
      "Acme shares plunge after lawsuit",
      "Acme to present at the annual conference",
    ]);
    expect(up).toMatchObject({ label: "positive", model: "finbert:tiny-finbert" });
    expect(up!.score).toBeGreaterThan(0.2);
    expect(down).toMatchObject({ label: "negative", model: "finbert:tiny-finbert" });
    expect(down!.score).toBeLessThan(-0.2);
    expect(flat!.label).toBe("neutral");
    for (const s of [up!, down!, flat!]) {
      expect(s.confidence).toBeGreaterThan(1 / 3);
      expect(s.confidence).toBeLessThanOrEqual(1);
    }
  });

  test("batches larger than one forward pass keep their order", async () => {
    const model = await finbertModel(dir, false);
    const texts = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? `record profit beats estimates ${i}` : `shares plunge on fraud investigation ${i}`));
    const labels = (await model.score(texts)).map((s) => s.label);
    expect(labels).toEqual(texts.map((_, i) => (i % 2 === 0 ? "positive" : "negative")));
  });

  test("loadSentimentModel picks FinBERT when the folder loads, and says so", async () => {
    const { log, lines } = recordingLogger();
    const model = await loadSentimentModel(dir, log);
    expect(model.name).toBe("finbert:tiny-finbert");
    expect(lines).toContainEqual(expect.objectContaining({ level: "info", msg: "sentiment model: FinBERT" }));
  });
});

describe("ONNX Runtime is the WebAssembly build: a restarted news worker can load the model again", () => {
  // onnxruntime-node's addon makes Bun abort the process when it is loaded again after a worker
  // that loaded it has exited; the news service runs in a worker the supervisor may restart.
  const dir = writeTinySentimentModel(join(work.path, "restart-finbert"));
  const script = join(work.path, "score-worker.ts");
  writeFileSync(
    script,
    `import { finbertModel } from ${JSON.stringify(join(import.meta.dir, "../../src/adapters/sentiment/finbert.ts"))};
const model = await finbertModel(${JSON.stringify(dir)}, true);
const [s] = await model.score(["Acme beats estimates"]);
postMessage(s.label);
`,
  );

  test("three workers in turn, each exiting, then this thread: every one scores; no native ONNX Runtime in the process", async () => {
    for (let i = 0; i < 3; i++) {
      const worker = new Worker(script, { smol: true } as WorkerOptions);
      const label = await new Promise<string>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<string>) => resolve(event.data);
        worker.onerror = (event) => reject(new Error(event.message));
      });
      expect(label).toBe("positive");
      worker.terminate();
    }
    const [s] = await (await finbertModel(dir, true)).score(["Acme shares plunge after lawsuit"]);
    expect(s!.label).toBe("negative");
    if (existsSync("/proc/self/maps")) expect(readFileSync("/proc/self/maps", "utf8")).not.toContain("onnxruntime");
  }, 30_000);
});

describe("the lexicon fallback", () => {
  const cases: [string, () => string, RegExp][] = [
    ["no folder configured", () => "", /CATALYST_MODELS_DIR is not set/],
    ["a missing folder", () => join(work.path, "nowhere"), /does not exist/],
    [
      "a folder without the ONNX file",
      () => {
        const dir = writeTinySentimentModel(join(work.path, "no-onnx"));
        rmSync(join(dir, "onnx"), { recursive: true });
        return dir;
      },
      /neither onnx\/model_quantized\.onnx nor onnx\/model\.onnx/,
    ],
    [
      "a classifier without sentiment labels",
      () => {
        const dir = writeTinySentimentModel(join(work.path, "topics"));
        writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "bert", id2label: { 0: "sports", 1: "politics" } }));
        return dir;
      },
      /no positive and negative labels/,
    ],
    [
      "a corrupt ONNX file",
      () => {
        const dir = writeTinySentimentModel(join(work.path, "corrupt"));
        writeFileSync(join(dir, "onnx/model_quantized.onnx"), "this is not a protobuf");
        return dir;
      },
      /did not load/,
    ],
  ];

  for (const [what, prepare, reason] of cases) test(`${what} → lexicon, with the reason logged`, async () => {
    const { log, lines } = recordingLogger();
    const dir = prepare();
    const model = await loadSentimentModel(dir === "" ? null : dir, log);
    expect(model.name).toBe(LEXICON_MODEL);
    const line = lines.find((l) => l.msg.startsWith("sentiment model: finance lexicon"));
    expect(String(line?.fields.reason)).toMatch(reason);
    const [s] = await model.score(["Acme beats estimates"]);
    expect(s).toMatchObject({ label: "positive", model: LEXICON_MODEL });
  });
});
