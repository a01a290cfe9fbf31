// Lookups in arrays sorted by an ascending numeric key (addresses, offsets).

/** How many leading items have key(item) <= value: items[result - 1] is the last one starting at or
 *  below value (none when 0). */
export function countAtOrBelow<T>(items: readonly T[], value: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid]) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
