/**
 * Is a folder a text-classification model transformers.js v2 can load offline? It reads
 * config.json, tokenizer.json and tokenizer_config.json, then onnx/model_quantized.onnx (its
 * default) or onnx/model.onnx; a sentiment model's labels must include positive and negative.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type ModelFolder =
  | { ok: true; dir: string; quantized: boolean }
  | { ok: false; reason: string };

const REQUIRED_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json"];
/** CATALYST_MODELS_DIR may be the model folder itself or hold it as finbert/. */
const SUBFOLDER = "finbert";

function inspect(dir: string): ModelFolder {
  const missing = REQUIRED_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) return { ok: false, reason: `${dir} has no ${missing.join(", ")}` };
  const quantized = existsSync(join(dir, "onnx/model_quantized.onnx"));
  if (!quantized && !existsSync(join(dir, "onnx/model.onnx"))) {
    return { ok: false, reason: `${dir} has neither onnx/model_quantized.onnx nor onnx/model.onnx` };
  }
  let labels: string[];
  try {
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { id2label?: Record<string, string> };
    labels = Object.values(config.id2label ?? {}).map((l) => String(l).toLowerCase());
  } catch (error) {
    return { ok: false, reason: `${dir}/config.json does not parse: ${(error as Error).message}` };
  }
  if (!labels.includes("positive") || !labels.includes("negative")) {
    return { ok: false, reason: `${dir}/config.json id2label has no positive and negative labels (got ${labels.join(", ") || "none"})` };
  }
  return { ok: true, dir, quantized };
}

export function findModelFolder(modelsDir: string): ModelFolder {
  if (!existsSync(modelsDir)) return { ok: false, reason: `${modelsDir} does not exist` };
  const nested = join(modelsDir, SUBFOLDER);
  return existsSync(join(nested, "config.json")) && !existsSync(join(modelsDir, "config.json")) ? inspect(nested) : inspect(modelsDir);
}
