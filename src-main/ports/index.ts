// Serial port discovery: the entry points the app API wires (see README.md).
export type { PortInfo, PortKind, PortIdentity, PortsChangedEvent, PortsListReply, PortProblemPayload } from './types';
export { listPorts, describePort, systemPortSources, type PortSources } from './list';
export { identityOf, findPortByIdentity, markPrinterPorts, type FindPortResult, type IdentityMatch } from './identity';
export { PortWatcher, type PortWatcherOptions } from './watcher';
export {
  classifyPortError,
  processesUsingPort,
  looksLikeWrongBaud,
  describeWrongBaud,
  type PortProblem,
  type PortProblemCode,
  type PortHolder,
} from './errors';
export { KNOWN_USB_IDS, TETHER_USB, lookupUsbId, normaliseUsbId } from './usb-names';
export { portsCommand, formatPorts } from './cli';
