import { ClusterError, errorMessage } from '../errors.js';

/** A message: a registered type and a value of it. Never a closure or a class instance on the wire. */
export interface Message<T = unknown> {
  readonly type: MessageType<T>;
  readonly value: T;
}

/** A registered message type with its `uint16` id and its binary codec. */
export interface MessageType<T> {
  readonly id: number;
  readonly name: string;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
  /** Wraps a value as a message of this type. */
  of(value: T): Message<T>;
  /** Narrows a message to this type. */
  is(msg: Message): msg is Message<T>;
}

/** First type id reserved for the cluster's own messages (0xff00-0xffff). */
export const RESERVED_TYPE_IDS = 0xff00;

/**
 * Message codecs by `uint16` id. Every member must register the same types under the same ids;
 * an unknown id on the wire is logged and dropped.
 */
export class CodecRegistry {
  private readonly byId = new Map<number, MessageType<unknown>>();
  private readonly byName = new Map<string, MessageType<unknown>>();

  /** Registers a type; ids 0xff00 and above are reserved for the cluster itself. */
  register<T>(
    id: number,
    name: string,
    encode: (value: T) => Uint8Array,
    decode: (bytes: Uint8Array) => T,
  ): MessageType<T> {
    return this.add(id, name, encode, decode, false);
  }

  /** @internal registers a cluster-owned type in the reserved range. */
  registerReserved<T>(
    id: number,
    name: string,
    encode: (value: T) => Uint8Array,
    decode: (bytes: Uint8Array) => T,
  ): MessageType<T> {
    return this.add(id, name, encode, decode, true);
  }

  private add<T>(
    id: number,
    name: string,
    encode: (value: T) => Uint8Array,
    decode: (bytes: Uint8Array) => T,
    reserved: boolean,
  ): MessageType<T> {
    if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
      throw new ClusterError('CLUSTER_CODEC', `type id ${id} is not a uint16`, { id });
    }
    if (!reserved && id >= RESERVED_TYPE_IDS) {
      throw new ClusterError('CLUSTER_CODEC', `type id ${id} is reserved for the cluster`, { id });
    }
    if (this.byId.has(id))
      throw new ClusterError('CLUSTER_CODEC', `type id ${id} already registered`, { id, name });
    if (this.byName.has(name))
      throw new ClusterError('CLUSTER_CODEC', `type ${name} already registered`, { id, name });
    const type: MessageType<T> = {
      id,
      name,
      encode,
      decode,
      of: (value: T) => ({ type, value }),
      is: (msg: Message): msg is Message<T> => msg.type.id === id,
    };
    this.byId.set(id, type as MessageType<unknown>);
    this.byName.set(name, type as MessageType<unknown>);
    return type;
  }

  /** Adds a type defined elsewhere (the cluster's built-in types); a no-op when already present. */
  adopt<T>(type: MessageType<T>): MessageType<T> {
    if (this.byId.get(type.id) === (type as MessageType<unknown>)) return type;
    return this.add(type.id, type.name, type.encode, type.decode, true);
  }

  get(id: number): MessageType<unknown> | undefined {
    return this.byId.get(id);
  }

  /** Decodes a payload; an unknown id or a throwing decoder becomes a `CLUSTER_BAD_FRAME`. */
  decode(id: number, payload: Uint8Array): Message {
    const type = this.byId.get(id);
    if (type === undefined)
      throw new ClusterError('CLUSTER_BAD_FRAME', `unknown message type ${id}`, { typeId: id });
    let value: unknown;
    try {
      value = type.decode(payload);
    } catch (err) {
      throw new ClusterError(
        'CLUSTER_BAD_FRAME',
        `malformed ${type.name} payload: ${errorMessage(err)}`,
        { typeId: id, name: type.name },
        { cause: err },
      );
    }
    return { type, value };
  }
}

/**
 * Codec for messages that are raw bytes (Lightning messages travel this way). Decoding does not
 * copy: the view points into the received frame, which ws allocates per message and never reuses.
 */
export const rawBytesCodec = {
  encode: (b: Uint8Array): Uint8Array => b,
  decode: (b: Uint8Array): Uint8Array => b,
} as const;
