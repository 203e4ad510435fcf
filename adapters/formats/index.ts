// The public entry of the layer-format API (`overlay-conformance/formats`): the LayerFormat
// contract and its building blocks, the registry, and the helpers a format module may reuse
// (the kernel's markers and decoder, the writer of canonical entries).

/** the contract, its context and the agent request and tree types a format reads and writes */
export type { AgentArgs, AgentRequest, AgentValue, CanonEntry, CanonTree, CanonWhiteout, DataJSON, EncodedLayer, FormatContext, LayerFormat, MarkerWriter, PreparedLayer, TreeItem } from './types.js';
/** the registry: names, lookup, registration by a plug-in, module loading */
export { formatNames, getFormat, loadFormatModule, registerFormat, resolveFormat, FormatError } from './registry.js';
/** writing a canonical layer in a format, reading one back */
export { decodeLayer, encodeLayer } from './encode.js';
/** the built-in formats a module may extend */
export { kernelFormat, plainFormat } from './builtin.js';
/** the kernel's decoder (private xattr namespaces as arguments), for formats that extend it */
export { kernelDecoder, plainDecoder, baseOf } from '../host/inspect.js';
/** the kernel's marker writer and the writer of formats without markers */
export { kernelMarkers, noMarkers } from '../host/materialise.js';
