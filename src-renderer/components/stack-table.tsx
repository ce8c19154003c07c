// Runs in the renderer: a table defined once by its columns, so each column's head and the label
// its cells carry (data-label, shown above each value when a narrow popover stacks the rows; see
// `.table.stack` in styles.css) cannot drift apart.

import type { ReactNode } from 'react';

/** One column: its head, its cell for a row, and how the cell is styled. */
export interface Column<Row> {
  label: string;
  cell: (row: Row) => ReactNode;
  /** A number: right-aligned and tabular. */
  num?: boolean;
  className?: string;
  /** The cell names its row (a `th scope="row"`). */
  rowHeader?: boolean;
}

/** A table of `rows` in `columns`, stacked into labelled values below 640 px. */
export function StackTable<Row>({
  columns,
  rows,
  rowKey,
  testId,
}: {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  testId?: string;
}) {
  return (
    <table className="table stack" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c.label}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((c) => {
              const className = [c.num ? 'num' : '', c.className ?? ''].join(' ').trim() || undefined;
              return c.rowHeader ? (
                <th scope="row" key={c.label} className={className} data-label={c.label}>
                  {c.cell(row)}
                </th>
              ) : (
                <td key={c.label} className={className} data-label={c.label}>
                  {c.cell(row)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
