/**
 * A tiny FinBERT-shaped text-classification model, written from scratch into a folder in the
 * layout transformers.js v2 loads (config.json, tokenizer.json, tokenizer_config.json,
 * onnx/model.onnx and onnx/model_quantized.onnx), so the FinBERT path runs for real in tests
 * without downloading anything.
 *
 * The network: logits = masked mean over the sequence of a per-token embedding [vocab, 3] whose
 * columns are FinBERT's labels (0 positive, 1 negative, 2 neutral). Words like "beats"/"surge"
 * carry positive weight, "plunge"/"lawsuit" negative, everything else leans neutral.
 * The ONNX file is encoded by the small protobuf writer below (opset 13).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] as const;
const POSITIVE = ["beats", "beat", "surge", "surges", "soars", "jumps", "rally", "record", "raises", "upgrade", "upgrades", "approval", "wins", "strong", "profit", "growth", "tops", "above"];
const NEGATIVE = ["plunge", "plunges", "misses", "miss", "lawsuit", "falls", "drops", "downgrade", "downgrades", "cuts", "loss", "weak", "recall", "investigation", "fraud", "below", "warning", "slump"];
const NEUTRAL = ["the", "a", "to", "of", "in", "for", "on", "and", "at", "company", "shares", "stock", "estimates", "quarter", "results", "announces", "reports", "date", "meeting", "conference", "inc", "corp", "revenue", "earnings", "sets", "present", "annual"];
export const TINY_VOCAB: readonly string[] = [...SPECIAL, ...POSITIVE, ...NEGATIVE, ...NEUTRAL];
/** FinBERT's (ProsusAI/finbert) label order. */
const ID2LABEL = { 0: "positive", 1: "negative", 2: "neutral" } as const;

function embeddingRow(token: string): [number, number, number] {
  if ((SPECIAL as readonly string[]).includes(token) && token !== "[UNK]") return [0, 0, 0];
  if (POSITIVE.includes(token)) return [6, 0, 0];
  if (NEGATIVE.includes(token)) return [0, 6, 0];
  return [0, 0, 1];
}

// ---- a minimal protobuf writer: varints, length-delimited fields, fixed32 floats ----

type Bytes = Uint8Array;

function varint(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint needs a non-negative integer, got ${value}`);
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const concat = (parts: Bytes[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const key = (field: number, wire: 0 | 2 | 5) => varint(field * 8 + wire);
const intField = (field: number, value: number): Bytes => new Uint8Array([...key(field, 0), ...varint(value)]);
const bytesField = (field: number, value: Bytes): Bytes => concat([new Uint8Array([...key(field, 2), ...varint(value.length)]), value]);
const stringField = (field: number, value: string): Bytes => bytesField(field, new TextEncoder().encode(value));
const message = (field: number, parts: Bytes[]): Bytes => bytesField(field, concat(parts));

// ---- ONNX messages (field numbers from onnx.proto) ----

const FLOAT = 1;
const INT64 = 7;

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian). */
function tensor(field: number, name: string, dims: number[], type: typeof FLOAT | typeof INT64, values: number[]): Bytes {
  const raw = type === FLOAT ? new Uint8Array(new Float32Array(values).buffer) : new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
  return message(field, [...dims.map((d) => intField(1, d)), intField(2, type), stringField(8, name), bytesField(9, raw)]);
}

/** ValueInfoProto with a tensor type; a string dim is symbolic ("batch"). */
function valueInfo(field: number, name: string, elemType: number, dims: (number | string)[]): Bytes {
  const shape = dims.map((d) => message(1, [typeof d === "number" ? intField(1, d) : stringField(2, d)]));
  const tensorType = message(1, [intField(1, elemType), message(2, shape)]);
  return message(field, [stringField(1, name), message(2, [tensorType])]);
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5 (AttributeProto: name 1, i 3, type 20; INT = 2). */
function node(opType: string, inputs: string[], outputs: string[], intAttributes: Record<string, number> = {}): Bytes {
  const attributes = Object.entries(intAttributes).map(([name, value]) => message(5, [stringField(1, name), intField(3, value), intField(20, 2)]));
  return message(1, [...inputs.map((i) => stringField(1, i)), ...outputs.map((o) => stringField(2, o)), stringField(3, `${opType}_${outputs[0]}`), stringField(4, opType), ...attributes]);
}

/** The ModelProto bytes of the masked-mean classifier. */
export function tinyOnnxModel(vocab: readonly string[] = TINY_VOCAB): Bytes {
  const weights = vocab.flatMap(embeddingRow);
  const dynamic = ["batch", "sequence"];
  const graph = [
    node("Gather", ["embeddings", "input_ids"], ["token_logits"], { axis: 0 }),
    node("Cast", ["attention_mask"], ["mask"], { to: FLOAT }),
    node("Unsqueeze", ["mask", "last_axis"], ["mask3"]),
    node("Mul", ["token_logits", "mask3"], ["masked"]),
    node("ReduceSum", ["masked", "sequence_axis"], ["summed"], { keepdims: 0 }),
    node("ReduceSum", ["mask3", "sequence_axis"], ["count"], { keepdims: 0 }),
    node("Div", ["summed", "count"], ["logits"]),
    stringField(2, "tiny-finbert"),
    tensor(5, "embeddings", [vocab.length, 3], FLOAT, weights),
    tensor(5, "last_axis", [1], INT64, [2]),
    tensor(5, "sequence_axis", [1], INT64, [1]),
    valueInfo(11, "input_ids", INT64, dynamic),
    valueInfo(11, "attention_mask", INT64, dynamic),
    // Declared like BERT's, unused by this network (ONNX Runtime accepts unused inputs).
    valueInfo(11, "token_type_ids", INT64, dynamic),
    valueInfo(12, "logits", FLOAT, ["batch", 3]),
  ];
  // ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 (domain 1, version 2).
  return concat([intField(1, 8), stringField(2, "catalyst-tests"), message(7, graph), message(8, [stringField(1, ""), intField(2, 13)])]);
}

function tokenizerJson(vocab: readonly string[]) {
  const id = (token: string) => vocab.indexOf(token);
  const special = (token: string) => ({ SpecialToken: { id: token, type_id: 0 } });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [special("[CLS]"), { Sequence: { id: "A", type_id: 0 } }, special("[SEP]")],
      pair: [special("[CLS]"), { Sequence: { id: "A", type_id: 0 } }, special("[SEP]"), { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "[SEP]", type_id: 1 } }],
      special_tokens: Object.fromEntries(["[CLS]", "[SEP]"].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])) },
  };
}

/** Writes the model folder (created if missing) and returns it. */
export function writeTinySentimentModel(dir: string): string {
  mkdirSync(join(dir, "onnx"), { recursive: true });
  const json = (name: string, value: unknown) => writeFileSync(join(dir, name), JSON.stringify(value, null, 2));
  json("config.json", {
    architectures: ["BertForSequenceClassification"],
    model_type: "bert",
    id2label: ID2LABEL,
    label2id: Object.fromEntries(Object.entries(ID2LABEL).map(([i, l]) => [l, Number(i)])),
    hidden_size: 3,
    num_attention_heads: 1,
    num_hidden_layers: 0,
    vocab_size: TINY_VOCAB.length,
    max_position_embeddings: 512,
    type_vocab_size: 2,
  });
  json("tokenizer.json", tokenizerJson(TINY_VOCAB));
  json("tokenizer_config.json", {
    tokenizer_class: "BertTokenizer",
    do_lower_case: true,
    model_max_length: 512,
    cls_token: "[CLS]",
    sep_token: "[SEP]",
    pad_token: "[PAD]",
    unk_token: "[UNK]",
    mask_token: "[MASK]",
  });
  // Both names transformers.js looks for: quantized (its default) and full precision.
  const model = tinyOnnxModel();
  writeFileSync(join(dir, "onnx/model.onnx"), model);
  writeFileSync(join(dir, "onnx/model_quantized.onnx"), model);
  return dir;
}
