/**
 * Names for the statements Prisma sends to PostgreSQL, so each connection parses and plans a
 * statement once and then only binds and executes it (unnamed, PostgreSQL re-plans every one:
 * 0.53 → 0.20 ms of its CPU per point read, measured). One name per distinct SQL text for the
 * life of the process, which pg requires (a name may never change its text on a connection).
 * Bounded: texts past MAX_NAMED (an IN list of every length, say) go unnamed, as before. Behind
 * PgBouncer in transaction mode this needs PgBouncer 1.21+ (max_prepared_statements).
 */
const MAX_NAMED = 2000;
const MAX_SQL_LENGTH = 10_000;

export function statementNames(): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined) {
      // pg sends an unnamed statement when the name is undefined.
      if (names.size >= MAX_NAMED || sql.length > MAX_SQL_LENGTH) return undefined as unknown as string;
      name = `cb${names.size}`;
      names.set(sql, name);
    }
    return name;
  };
}
