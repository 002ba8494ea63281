/**
 * Docker multiplexes stdout and stderr of a container without a TTY into one
 * stream of frames: an 8-byte header (byte 0: stream 0/1/2, bytes 4-7: payload
 * length, big endian) and then the payload. A container with a TTY sends raw
 * bytes instead; anything that does not parse as frames is taken as raw.
 */
export function demuxDockerStream(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    if (buffer.length - offset < 8) return buffer.toString('utf8');
    const stream = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    const zeros = buffer[offset + 1] === 0 && buffer[offset + 2] === 0 && buffer[offset + 3] === 0;
    if ((stream !== 0 && stream !== 1 && stream !== 2) || !zeros || offset + 8 + length > buffer.length) return buffer.toString('utf8');
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(parts).toString('utf8');
}
