// A stand-in for D1 in Node benchmarks: accepts every statement, returns no rows, and counts.
// It lets the engine's own CPU cost be measured without a database in the loop.
export class CountingD1 {
  statements = 0;
  batches = 0;

  prepare(sql: string) {
    const self = this;
    const stmt = {
      sql,
      bind(..._args: unknown[]) {
        return stmt;
      },
      async all() {
        self.statements++;
        return { results: [], success: true, meta: {} };
      },
      async raw() {
        self.statements++;
        return [];
      },
      async run() {
        self.statements++;
        return { results: [], success: true, meta: {} };
      },
      async first() {
        self.statements++;
        return null;
      },
    };
    return stmt;
  }

  async batch(stmts: unknown[]) {
    this.batches++;
    this.statements += stmts.length;
    return stmts.map(() => ({ results: [], success: true, meta: {} }));
  }

  async exec() {
    return { count: 0, duration: 0 };
  }
}
