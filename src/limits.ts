/**
 * What one operation may cost, checked before anything runs: a refused operation runs no
 * resolver and touches no row. Three layers, each the library made for it:
 *  - tokens, aliases and directives: GraphQL Armor, at parse / validation time (the document alone);
 *  - depth, breadth and complexity: @pothos/plugin-complexity's calculation, at execute /
 *    subscribe time, where the variables are known — a connection costs its `first`/`last`
 *    (at most 100) times its selection, so `calls(first: 100) { … campaign { calls(first: 100) …`
 *    multiplies as it would in the database;
 *  - subscriptions per socket and per key (server.ts).
 * A client that sends the header `x-callboard-cost: 1` gets `extensions.cost` with its
 * operation's { complexity, depth, breadth } and the limits.
 */
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { complexityFromQuery } from '@pothos/plugin-complexity';
import { GraphQLError, Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from './config.ts';

export type Limits = Config['limits'];
type Cost = { complexity: number; depth: number; breadth: number };

/** The document reduced to the operation that will run (a cheap first operation must not hide a costly selected one). */
function selectedOperation(document: DocumentNode, operationName?: string | null): DocumentNode {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const chosen = operations.find((op) => (operationName ? op.name?.value === operationName : true)) ?? operations[0];
  return { ...document, definitions: document.definitions.filter((d) => d.kind !== Kind.OPERATION_DEFINITION || d === chosen) };
}

export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables: unknown, operationName?: string | null, ctx: object = {}): Cost {
  const { complexity, depth, breadth } = complexityFromQuery(selectedOperation(document, operationName), {
    schema,
    variables: (variables ?? {}) as Record<string, unknown>,
    ctx,
  });
  return { complexity, depth, breadth };
}

function overLimit(cost: Cost, limits: Limits): GraphQLError | null {
  const over =
    cost.depth > limits.depth
      ? `depth ${cost.depth} exceeds the limit of ${limits.depth}`
      : cost.breadth > limits.breadth
        ? `${cost.breadth} selected fields exceed the limit of ${limits.breadth}`
        : cost.complexity > limits.complexity
          ? `complexity ${cost.complexity} exceeds the limit of ${limits.complexity} (a connection costs its first/last times its selection)`
          : null;
  return over ? new GraphQLError(`Operation refused: ${over}.`, { extensions: { code: 'COST_LIMIT', cost, limits: costLimits(limits) } }) : null;
}

const costLimits = (limits: Limits) => ({ complexity: limits.complexity, depth: limits.depth, breadth: limits.breadth });

/** The Yoga plugins that enforce `limits` on every operation, over HTTP and WebSocket alike. */
export function useOperationLimits(limits: Limits): Plugin[] {
  const check = (args: { schema: GraphQLSchema; document: DocumentNode; variableValues?: unknown; operationName?: string | null; contextValue: unknown }) => {
    const cost = operationCost(args.schema, args.document, args.variableValues, args.operationName, args.contextValue as object);
    return { cost, error: overLimit(cost, limits) };
  };
  const wantsCost = (ctx: unknown) => (ctx as { request?: Request }).request?.headers.get('x-callboard-cost') === '1';
  const costPlugin: Plugin = {
    onExecute({ args, setResultAndStopExecution }) {
      const { cost, error } = check(args);
      if (error) {
        setResultAndStopExecution({ errors: [error] });
        return;
      }
      if (!wantsCost(args.contextValue)) return;
      return {
        onExecuteDone({ result, setResult }) {
          if ('data' in result || 'errors' in result) {
            setResult({ ...result, extensions: { ...result.extensions, cost: { ...cost, limits: costLimits(limits) } } });
          }
        },
      };
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const { error } = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
  return [
    maxTokensPlugin({ n: limits.tokens }) as Plugin,
    maxAliasesPlugin({ n: limits.aliases }) as Plugin,
    maxDirectivesPlugin({ n: limits.directives }) as Plugin,
    costPlugin,
  ];
}
