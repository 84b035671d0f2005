/** The one string order of every output list: UTF-16 code units, as `<` compares them. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortStrings<T extends string>(a: T[]): T[] {
  return a.sort(cmp);
}
