/**
 * No import cycle among src/lifecycle's modules (close and protect once imported each other through
 * cancelAndSettle): a cycle makes load order decide what is defined when, and hides which module owns what.
 * Type-only imports count too: they are edges of the design even if erased at run time.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const DIR = join(import.meta.dir, "../../src/lifecycle");

/** The folder's own modules each file imports (`from "./x.ts"`, `import("./x.ts")`), comments stripped. */
function importGraph(files: Record<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [name, source] of Object.entries(files)) {
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const targets = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)["']\.\/([^"'/]+)["']/gm)].map((m) => m[1]!);
    graph.set(name, [...new Set(targets)].filter((t) => t in files));
  }
  return graph;
}

/** Every cycle, each as the path that closes it (a → b → a); depth-first with a stack of the current path. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (node: string, path: string[]): void => {
    const at = path.indexOf(node);
    if (at >= 0) return void found.push([...path.slice(at), node]);
    if (done.has(node)) return;
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    done.add(node);
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

describe("src/lifecycle imports", () => {
  test("no module imports itself back through another", () => {
    const files = Object.fromEntries(
      readdirSync(DIR)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => [f, readFileSync(join(DIR, f), "utf8")]),
    );
    const graph = importGraph(files);
    // The graph was read at all: close.ts imports its siblings.
    expect(graph.get("close.ts")?.length).toBeGreaterThan(0);
    expect(cycles(graph).map((c) => c.join(" → "))).toEqual([]);
  });

  test("the check finds a cycle when there is one", () => {
    const graph = importGraph({
      "close.ts": `import { a } from "./protect.ts";\nimport type { B } from "./views.ts";`,
      "protect.ts": `// from "./close.ts" in a comment is no import\nimport { cancelAndSettle } from "./close.ts";`,
      "views.ts": `export const v = 1;`,
    });
    expect(cycles(graph).map((c) => c.join(" → "))).toEqual(["close.ts → protect.ts → close.ts"]);
  });
});
