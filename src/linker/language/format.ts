// Numbers as an embedded developer wants to read them: hex for addresses, decimal and KiB for sizes.

export function hex32(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

/** "0x00020000 (131072, 128 KiB)". */
export function describeNumber(value: number): string {
  return `${hex32(value)} (${value}${value >= 1024 ? `, ${kib(value)}` : ''})`;
}

/** Bytes as KiB with at most two decimals ("1.5 KiB"), or MiB from 1 MiB on. */
export function kib(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${trim(bytes / (1024 * 1024))} MiB`;
  return `${trim(bytes / 1024)} KiB`;
}

/** A byte count for text: "812 B", "4.25 KiB". */
export function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : kib(bytes);
}

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '—';
  return `${((part * 100) / whole).toFixed(1)}%`;
}

function trim(x: number): string {
  return x.toFixed(2).replace(/\.?0+$/, '');
}
