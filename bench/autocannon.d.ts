// autocannon ships no types; the benchmark uses a handful of fields (see run.ts).
declare module 'autocannon';
