// Where a kernel candidate is, said one way in every message and table: its address, or with
// hidden addresses its line in the table file, or its position in its object's kallsyms order.

export function candidateWhere(c: {
  readonly address: string | null;
  readonly line: number | null;
  readonly position: number;
}): string {
  return c.address ?? (c.line !== null ? `line ${c.line}` : `#${c.position}`);
}
