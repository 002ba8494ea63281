import type { Color } from '../../config/model.js';
import { classifyDial, serviceAddresses, type ServiceAddresses } from '../service-addresses.js';
import type { StatusFacts } from './status-input.js';
import type { UpstreamRow } from './status-report-types.js';
import type { TrafficSection } from './traffic-section.js';
import { liveDials } from '../read-traffic.js';

function ownerOf(dial: string, book: readonly ServiceAddresses[]): { service: string | null; color: Color | 'plain' | null } {
  for (const addresses of book) {
    const owner = classifyDial(dial, addresses);
    if (owner.kind === 'color') return { service: addresses.service, color: owner.color };
    if (owner.kind === 'neutral') return { service: addresses.service, color: 'plain' };
  }
  return { service: null, color: null };
}

/** Every in-flight row Caddy keeps, attributed to a service and color where possible. */
export function upstreamsSection(facts: StatusFacts, traffic: TrafficSection): UpstreamRow[] {
  const instances = facts.docker?.instances ?? [];
  const addressBook = (facts.project?.colored ?? []).map((service) => serviceAddresses(service, instances));
  const live = new Set(traffic.services.flatMap(liveDials));
  return (facts.upstreamCounts ?? [])
    .map((row) => ({ address: row.address, ...ownerOf(row.address, addressBook), inFlight: row.numRequests, fails: row.fails, live: live.has(row.address) }))
    .sort((a, b) => (a.service ?? '~').localeCompare(b.service ?? '~') || (a.color ?? '~').localeCompare(b.color ?? '~') || a.address.localeCompare(b.address));
}
