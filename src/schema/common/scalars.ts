import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.ts';

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string with time zone (e.g. 2026-11-22T18:00:00.000Z).',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 string');
    // JavaScript reads "+275760-09-13T00:00:00Z"; the database and every client choke on it.
    const year = date.getUTCFullYear();
    if (year < 1970 || year > 9999) throw new GraphQLError('DateTime must be between 1970 and 9999');
    return date;
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value (here: a contact’s extra columns, passed to the agent’s script as variables).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: function parse(ast): unknown {
    switch (ast.kind) {
      case Kind.STRING:
      case Kind.BOOLEAN:
        return ast.value;
      case Kind.INT:
      case Kind.FLOAT:
        return Number(ast.value);
      case Kind.NULL:
        return null;
      case Kind.LIST:
        return ast.values.map((v) => parse(v));
      case Kind.OBJECT:
        return Object.fromEntries(ast.fields.map((f) => [f.name.value, parse(f.value)]));
      default:
        throw new GraphQLError('JSON literal cannot contain variables');
    }
  },
});

builder.scalarType('File', {
  description: 'A file sent with the GraphQL multipart request spec.',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar');
  },
});
