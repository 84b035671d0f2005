/**
 * Quoting for the SQL this tool writes (DuckDB and PostgreSQL alike): a name as a quoted
 * identifier, a value as a string literal. Standard SQL doubling, no escapes beyond it.
 */
export function sqlIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

export function sqlString(value: string): string {
  return "'" + value.replace(/'/g, "''") + "'";
}
