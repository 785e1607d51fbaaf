import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';

// Columns made by createColumnHelper differ in their value type; TanStack's own examples type the array this way.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Columns<T> = Array<ColumnDef<T, any>>;

/** A TanStack table; rows are buttons (Enter opens) when `onRow` is given. */
export function DataTable<T>({ data, columns, onRow, label, rowId }: { data: T[]; columns: Columns<T>; onRow?: (row: T) => void; label: string; rowId?: (row: T) => string }) {
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), ...(rowId ? { getRowId: rowId } : {}) });
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              {g.headers.map((h) => (
                <th key={h.id}>{h.isPlaceholder ? null : flexRender(h.column.columnDef.header, h.getContext())}</th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr
              key={row.id}
              className={onRow ? 'clickable' : undefined}
              tabIndex={onRow ? 0 : undefined}
              onClick={onRow ? () => onRow(row.original) : undefined}
              onKeyDown={onRow ? (e) => e.key === 'Enter' && onRow(row.original) : undefined}
            >
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
