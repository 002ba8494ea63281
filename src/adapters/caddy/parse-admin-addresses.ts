import { UsageError } from '../../errors.js';
import { parseAdminAddress, type AdminAddress } from './parse-admin-address.js';

const HINT = 'give each Caddy instance once: --caddy-admin A --caddy-admin B, or CADDY_ADMIN=A,B';

/**
 * Several Caddy admin addresses, switched as one (docs/multi-instance.md):
 * each is parsed as `parseAdminAddress` does, an empty item (`A,,B`, a
 * trailing comma) and the same instance twice are refused, so that one step
 * never sends two changes to one Caddy. One address gives a list of one.
 */
export function parseAdminAddresses(inputs: readonly string[]): AdminAddress[] {
  if (inputs.length === 1) return [parseAdminAddress(inputs[0] ?? '')];
  const addresses: AdminAddress[] = [];
  for (const [index, input] of inputs.entries()) {
    if (input.trim() === '') {
      throw new UsageError(`Caddy admin address ${index + 1} of ${inputs.length} is empty (in "${inputs.join(',')}")`, { hint: HINT });
    }
    const address = parseAdminAddress(input);
    const twice = addresses.find((seen) => seen.text === address.text);
    if (twice !== undefined) throw new UsageError(`Caddy admin address ${address.text} is given twice; each Caddy instance is switched once per step`, { hint: HINT });
    addresses.push(address);
  }
  return addresses;
}

/** `CADDY_ADMIN=a,b`: the comma-separated form of the environment and of .env. */
export function splitAdminList(value: string): string[] {
  return value.split(',').map((item) => item.trim());
}
