import { COLORS, type Color } from '../config/model.js';
import type { TrafficView } from './read-traffic.js';
import { dialsForColor, type ColorInstance } from './service-addresses.js';

/** The dials that reach each color of one colored service, as Caddy reaches it now. */
export interface ServiceColorDials {
  service: string;
  byColor: Record<Color, string[]>;
}

/**
 * For every service of `view`, the dials of each color: the color's alias on the
 * compose network, or one `127.0.0.1:<port>` per running replica on the host.
 * What a switch points at, what a drain waits on, and what the state file records.
 */
export function colorDials(view: TrafficView, instances: readonly ColorInstance[]): ServiceColorDials[] {
  return view.services.map((traffic) => ({
    service: traffic.service,
    byColor: Object.fromEntries(COLORS.map((color) => [color, dialsForColor(traffic.addresses, color, traffic.mode, instances)])) as Record<Color, string[]>,
  }));
}
