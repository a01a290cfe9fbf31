// CMSIS-SVD: parse a device description into a resolved model (absolute addresses, inherited
// properties, derivedFrom and dim arrays expanded).

export { parseSvd, SvdError } from './parser';
export { readXml, XmlSyntaxError } from './xml';
export type { XmlNode } from './xml';
export * from './model';
