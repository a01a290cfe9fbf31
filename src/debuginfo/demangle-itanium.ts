// A basic Itanium C++ ABI demangler (section 5.1 of the ABI).

/** Demangles a `_Z…` symbol; undefined when it uses a construct this subset does not handle. */
export function demangleItanium(_name: string): string | undefined {
  return undefined;
}
