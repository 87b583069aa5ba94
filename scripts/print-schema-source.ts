// Schema source for graphql-codegen: the code-first schema, imported without starting anything.
export { schema as default } from '../src/schema/index.ts';
