/**
 * Picks one codec per column from the catalog facts. The binary format a type expects is named by
 * its receive function (`int4recv`, `numeric_recv`, `array_recv` …), so codecs are chosen by that
 * name — which also covers types that reuse a built-in format — and only for functions of
 * `pg_catalog`. Domains use their base type's codec (with the domain's typmod); arrays wrap their
 * element's codec; enums check their labels; anything else falls back to the text input form.
 */
import type { Codec } from './codec.js';
import { ColumnTypeNotFoundError } from './errors.js';
import { arrayCodec } from './codecs/array.js';
import { boolCodec } from './codecs/bool.js';
import { byteaCodec } from './codecs/bytea.js';
import { dateCodec, timeCodec, timestampCodec, timestamptzCodec, timetzCodec } from './codecs/datetime.js';
import { enumCodec } from './codecs/enum.js';
import { float4Codec, float8Codec } from './codecs/floats.js';
import { cidrCodec, inetCodec } from './codecs/inet.js';
import { int2Codec, int4Codec, int8Codec, oidCodec } from './codecs/integers.js';
import { intervalCodec } from './codecs/interval.js';
import { jsonCodec, jsonbCodec } from './codecs/json.js';
import { numericCodec } from './codecs/numeric.js';
import { textInputCodec } from './codecs/text-input.js';
import { bpcharCodec, nameCodec, textCodec, varcharCodec } from './codecs/text.js';
import { uuidCodec } from './codecs/uuid.js';
import { vectorCodec } from './codecs/vector.js';

/** One `pg_type` row, as {@link typeFactsQuery} returns it. */
export interface TypeFact {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  /** `typtype`: b base, c composite, d domain, e enum, p pseudo, r range, m multirange. */
  readonly kind: string;
  /** `typelem`: the element type of an array (0 otherwise). */
  readonly element: number;
  /** `typbasetype`: the base type of a domain (0 otherwise). */
  readonly base: number;
  /** `typtypmod`: a domain's typmod (e.g. the 10 of `varchar(10)`), -1 otherwise. */
  readonly typmod: number;
  readonly delimiter: string;
  /** Name of the receive function, which defines the binary format. */
  readonly receive: string | null;
  /** True when the receive function lives in `pg_catalog`. */
  readonly receiveBuiltin: boolean;
  /** Labels of an enum, in order. */
  readonly labels: readonly string[] | null;
}

type CodecFactory = (typmod: number, serverMajor: number) => Codec;

const constant = (codec: Codec): CodecFactory => () => codec;

const BUILTIN: Readonly<Record<string, CodecFactory>> = {
  boolrecv: constant(boolCodec),
  int2recv: constant(int2Codec),
  int4recv: constant(int4Codec),
  int8recv: constant(int8Codec),
  oidrecv: constant(oidCodec),
  float4recv: constant(float4Codec),
  float8recv: constant(float8Codec),
  numeric_recv: (typmod) => numericCodec(typmod),
  textrecv: constant(textCodec),
  varcharrecv: (typmod) => varcharCodec(typmod),
  bpcharrecv: (typmod) => bpcharCodec(typmod),
  namerecv: constant(nameCodec),
  bytearecv: constant(byteaCodec),
  uuid_recv: constant(uuidCodec),
  date_recv: constant(dateCodec),
  time_recv: constant(timeCodec),
  timetz_recv: constant(timetzCodec),
  timestamp_recv: constant(timestampCodec),
  timestamptz_recv: constant(timestamptzCodec),
  interval_recv: (_typmod, serverMajor) => intervalCodec(serverMajor),
  json_recv: constant(jsonCodec),
  jsonb_recv: constant(jsonbCodec),
  inet_recv: constant(inetCodec),
  cidr_recv: constant(cidrCodec),
};

/** Extension types whose binary form is text's (citext's receive function wraps textrecv). */
const TEXT_LIKE_EXTENSION_RECEIVE = new Set(['citextrecv']);
/** pgvector's dense vector types, written from arrays of numbers in their text form. */
const VECTOR_RECEIVE = new Set(['vector_recv', 'halfvec_recv']);

const JSON_CODECS = new Set(['json', 'jsonb']);

/** Schema-qualified unless the type lives in pg_catalog or public. */
function typeName(fact: TypeFact): string {
  return fact.schema === 'pg_catalog' || fact.schema === 'public' ? fact.name : `${fact.schema}.${fact.name}`;
}

export function selectCodec(oid: number, typmod: number, facts: ReadonlyMap<number, TypeFact>, serverMajor: number): Codec {
  const fact = facts.get(oid);
  if (!fact) {
    throw new ColumnTypeNotFoundError(`type OID ${oid} is not in pg_type (was the type dropped?)`, { details: { typeOid: oid } });
  }
  if (fact.kind === 'd') return selectCodec(fact.base, fact.typmod, facts, serverMajor);
  if (fact.kind === 'e' && fact.labels) return enumCodec(typeName(fact), fact.labels);
  const receive = fact.receive ?? '';
  if (fact.receiveBuiltin && receive === 'array_recv' && fact.element !== 0) {
    const element = selectCodec(fact.element, typmod, facts, serverMajor);
    return arrayCodec({
      codec: element,
      oid: fact.element,
      delimiter: facts.get(fact.element)?.delimiter ?? ',',
      itemsMayBeArrays: JSON_CODECS.has(element.name),
    });
  }
  if (fact.receiveBuiltin) {
    const factory = BUILTIN[receive];
    if (factory) return factory(typmod, serverMajor);
  } else if (TEXT_LIKE_EXTENSION_RECEIVE.has(receive)) {
    return textCodec;
  } else if (VECTOR_RECEIVE.has(receive)) {
    return vectorCodec(typeName(fact));
  }
  return textInputCodec(typeName(fact));
}
