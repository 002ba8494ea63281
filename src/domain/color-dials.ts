import { COLORS, type Color } from '../config/model.js';
import type { HandlerTraffic, TrafficView } from './read-traffic.js';
import { dialsForColor, type ColorInstance, type ServiceAddresses } from './service-addresses.js';

/** The dials of each color for one handler of a service: the same port, the color's name or published port. */
export interface HandlerColorDials {
  pointer: Array<string | number>;
  /** The container port the handler reaches. */
  port: number;
  byColor: Record<Color, string[]>;
}

/** The dials that reach each color of one colored service, as Caddy reaches it now. */
export interface ServiceColorDials {
  service: string;
  /** Every dial of each color over all the service's handlers (all ports), first seen first, no duplicates. */
  byColor: Record<Color, string[]>;
  /** Per handler, in the order of TrafficView's handlers. */
  handlers: HandlerColorDials[];
}

/** One handler's dials per color: `platform:3210` → `platform-green:3210`, or green's published host port for container port 3210. */
export function handlerColorDials(handler: HandlerTraffic, addresses: ServiceAddresses, instances: readonly ColorInstance[]): HandlerColorDials {
  return {
    pointer: handler.handler.pointer,
    port: handler.port,
    byColor: Object.fromEntries(COLORS.map((color) => [color, dialsForColor(addresses, color, handler.mode, instances)])) as Record<Color, string[]>,
  };
}

/**
 * For every service of `view`, the dials of each color: the color's alias on the
 * compose network, or one `127.0.0.1:<port>` per running replica on the host,
 * for every port a handler of the service uses. What a switch points at, what
 * a drain waits on, and what the state file records.
 */
export function colorDials(view: TrafficView, instances: readonly ColorInstance[]): ServiceColorDials[] {
  return view.services.map((traffic) => {
    const handlers = traffic.handlers.map((handler) => handlerColorDials(handler, traffic.addresses, instances));
    const byColor = Object.fromEntries(COLORS.map((color) => [color, [...new Set(handlers.flatMap((h) => h.byColor[color]))]])) as Record<Color, string[]>;
    return { service: traffic.service, byColor, handlers };
  });
}
