/**
 * `inet` and `cidr`: a string `address[/prefix]`, IPv4 dotted quad or IPv6 (`::` compression and a
 * trailing dotted quad allowed, no zone id). Without a prefix the address is a host (/32, /128). A
 * `cidr` may not have bits set right of its prefix (`10.1.0.0/8` is an error, as in PostgreSQL).
 * The abbreviated cidr forms PostgreSQL also reads (`10.1/16`, `10`) are not accepted: write the
 * full address.
 */
import { isIPv6 } from 'node:net';
import { got, invalid, renderValue, type Codec } from '../codec.js';

/** PGSQL_AF_INET and PGSQL_AF_INET6 of the binary format. */
const FAMILY_INET = 2;
const FAMILY_INET6 = 3;

interface Address {
  family: number;
  bits: number;
  bytes: number[];
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4Bytes(text: string): number[] | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  const bytes = match.slice(1).map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : undefined;
}

function ipv6Bytes(text: string): number[] | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  const halves = text.split('::');
  const groups = (part: string | undefined): number[] | undefined => {
    if (!part) return [];
    const words: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const quad = ipv4Bytes(piece);
        if (!quad) return undefined;
        words.push(((quad[0] ?? 0) << 8) | (quad[1] ?? 0), ((quad[2] ?? 0) << 8) | (quad[3] ?? 0));
      } else {
        words.push(parseInt(piece, 16));
      }
    }
    return words;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return undefined;
  const words = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  if (words.length !== 8) return undefined;
  return words.flatMap((word) => [word >> 8, word & 0xff]);
}

function parseAddress(value: unknown, cidr: boolean): Address {
  const type = cidr ? 'cidr' : 'inet';
  if (typeof value !== 'string') throw invalid(`expected an ${type} string (address[/prefix]), got ${got(value)}`);
  const slash = value.indexOf('/');
  const host = slash === -1 ? value : value.slice(0, slash);
  const v4 = ipv4Bytes(host);
  const bytes = v4 ?? ipv6Bytes(host);
  if (!bytes) throw invalid(`${renderValue(value)} is not an IPv4 or IPv6 ${type} value`);
  const maxBits = bytes.length * 8;
  let bits = maxBits;
  if (slash !== -1) {
    const prefix = value.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > maxBits) throw invalid(`${renderValue(value)} has an invalid prefix length`);
    bits = Number(prefix);
  }
  if (cidr) {
    for (let bit = bits; bit < maxBits; bit++) {
      if (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) {
        throw invalid(`${renderValue(value)} has bits set right of its /${bits} prefix, which a cidr cannot hold`);
      }
    }
  }
  return { family: v4 ? FAMILY_INET : FAMILY_INET6, bits, bytes };
}

function addressCodec(cidr: boolean): Codec {
  return {
    name: cidr ? 'cidr' : 'inet',
    binary: true,
    writeBinary(out, value) {
      const address = parseAddress(value, cidr);
      out.int32(4 + address.bytes.length);
      out.int8(address.family);
      out.int8(address.bits);
      out.int8(cidr ? 1 : 0);
      out.int8(address.bytes.length);
      for (const byte of address.bytes) out.int8(byte);
    },
    toText(value) {
      parseAddress(value, cidr);
      return value as string;
    },
  };
}

export const inetCodec = addressCodec(false);
export const cidrCodec = addressCodec(true);
