/* Counts the cells of the matrix for the one summary line the test prints. */

const ANSI = /\u001b\[[0-9;]*m/g;

export class MatrixTally {
  private targets = 0;
  private passed = 0;
  private readonly failures: string[] = [];

  constructor(private readonly faults: number) {}

  addTargets(count: number): void {
    this.targets += count;
  }

  pass(): void {
    this.passed += 1;
  }

  /** Records a failed cell; returns its line: the cell, then the first lines of the assertion that failed. */
  fail(cell: string, error: unknown): string {
    const text = (error instanceof Error ? error.message : String(error)).replace(ANSI, '');
    const line = `${cell}: ${text.split('\n').filter((l) => l.trim() !== '').slice(0, 8).join(' | ')}`;
    this.failures.push(line);
    return line;
  }

  summary(): string {
    const cases = this.passed + this.failures.length;
    const head = `fault matrix: ${this.targets} steps × ${this.faults} faults = ${this.targets * this.faults} cases, ${cases} run, ${this.passed} passed`;
    return this.failures.length === 0 ? head : [`${head}, ${this.failures.length} failed:`, ...this.failures.map((f) => `  ${f}`)].join('\n');
  }
}
