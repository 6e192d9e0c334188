/** What an MCP tool is: a description for the model, a bounded input schema, annotations, and a run over the typed service client. */
import type { Static, TSchema } from "@sinclair/typebox";
import type { McpDeps } from "./deps.ts";

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolDefinition<S extends TSchema = TSchema> {
  name: string;
  description: string;
  input: S;
  annotations: ToolAnnotations;
  run(args: Static<S>, deps: McpDeps): Promise<Record<string, unknown>>;
}

export const tool = <S extends TSchema>(definition: ToolDefinition<S>): ToolDefinition => definition as unknown as ToolDefinition;
export const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };

