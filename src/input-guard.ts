/**
 * Input that no resolver should ever see, refused before execution with BAD_USER_INPUT and
 * nothing written: control characters PostgreSQL cannot store or that no name, number or CSV
 * value legitimately holds (NUL and the other C0 controls but tab, newline and carriage return),
 * and JSON nested deeper than MAX_JSON_DEPTH (a 10,000-level object overflowed the stack).
 * Checked in every variable and every string literal of the document, iteratively.
 */
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Deeper than any contact's variables or retry policy needs; far below the stack's limit. */
export const MAX_JSON_DEPTH = 32;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function problemIn(value: unknown): string | null {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (CONTROL.test(v)) return 'a text value contains a control character (such as NUL)';
    } else if (v && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) return `a value is nested deeper than ${MAX_JSON_DEPTH} levels`;
      if (v instanceof Date || (typeof Blob !== 'undefined' && v instanceof Blob)) continue;
      for (const [k, child] of Object.entries(v)) {
        if (CONTROL.test(k)) return 'a key contains a control character (such as NUL)';
        stack.push([child, depth + 1]);
      }
    }
  }
  return null;
}

function literalProblem(document: DocumentNode): string | null {
  let problem: string | null = null;
  visit(document, {
    [Kind.STRING](node) {
      if (!problem && CONTROL.test(node.value)) problem = 'a text value contains a control character (such as NUL)';
    },
  });
  return problem;
}

export function useInputGuard(): Plugin {
  const refuse = (message: string) => new GraphQLError(`Invalid input: ${message}.`, { extensions: { code: 'BAD_USER_INPUT' } });
  const check = (args: { document: DocumentNode; variableValues?: unknown }) => problemIn(args.variableValues ?? {}) ?? literalProblem(args.document);
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const problem = check(args);
      if (problem) setResultAndStopExecution({ errors: [refuse(problem)] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = check(args);
      if (problem) setResultAndStopExecution({ errors: [refuse(problem)] });
    },
  };
}
