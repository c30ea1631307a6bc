// A stand-in for D1 in Node benchmarks: accepts every statement, returns no rows, and counts.
// It lets the engine's own CPU cost be measured without a database in the loop, so it allocates as
// little as it can (one small object per statement, its methods shared).
class CountingStatement {
  constructor(
    private readonly db: CountingD1,
    readonly sql: string,
  ) {}

  bind(..._args: unknown[]): CountingStatement {
    return this;
  }

  async all() {
    this.db.statements++;
    return { results: [], success: true, meta: {} };
  }

  async raw() {
    this.db.statements++;
    return [];
  }

  async run() {
    this.db.statements++;
    return { results: [], success: true, meta: {} };
  }

  async first() {
    this.db.statements++;
    return null;
  }
}

const OK = { results: [], success: true, meta: {} };

export class CountingD1 {
  statements = 0;
  batches = 0;

  prepare(sql: string): CountingStatement {
    return new CountingStatement(this, sql);
  }

  async batch(stmts: unknown[]) {
    this.batches++;
    this.statements += stmts.length;
    return stmts.map(() => OK);
  }

  async exec() {
    return { count: 0, duration: 0 };
  }
}
