/**
 * gRPC plumbing: serves protobuf services described by the `@temporalio/proto` root with
 * `@grpc/grpc-js`. Handlers are plain async functions keyed by method name; every method without
 * one answers UNIMPLEMENTED and is logged, so an SDK feature we do not serve fails loudly instead
 * of hanging. Each call gets an AbortSignal that fires when the caller cancels (a worker stopping
 * its long polls) or the server shuts down.
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { root } from './proto.js';
import { RpcError } from './rpc-error.js';

export interface CallContext {
  /** Aborted when the caller cancels the call or the server shuts down. */
  readonly signal: AbortSignal;
}

// Requests arrive as decoded message instances; each handler declares its own request type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (request: any, call: CallContext) => Promise<object> | object;

export interface ServedService {
  /** Full protobuf name, e.g. `temporal.api.workflowservice.v1.WorkflowService`. */
  name: string;
  handlers: Record<string, Handler>;
}

export interface GrpcServerOptions {
  host: string;
  port: number;
  services: ServedService[];
  log: (message: string) => void;
  /** Called once per call, before the handler runs (RPC statistics). */
  onCall: (method: string, implemented: boolean) => void;
}

export interface RunningGrpcServer {
  readonly port: number;
  /** Aborts every open call, then closes the listener and all connections. */
  shutdown(): Promise<void>;
}

// The SDK sends payloads up to 128 MiB; grpc-js would refuse anything above 4 MiB by default.
const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  const stopping = new AbortController();
  for (const service of options.services) {
    const { definition, implementation } = buildService(service, stopping.signal, options);
    server.addService(definition, implementation);
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  return {
    port,
    async shutdown() {
      stopping.abort();
      // Let handlers that just got aborted send their (empty) answers before connections drop.
      await new Promise((resolve) => setImmediate(resolve));
      server.forceShutdown();
    },
  };
}

function buildService(
  service: ServedService,
  stopping: AbortSignal,
  options: GrpcServerOptions,
): { definition: ServiceDefinition; implementation: UntypedServiceImplementation } {
  const reflected = root.lookupService(service.name);
  const packageName = service.name.slice(0, service.name.lastIndexOf('.'));
  const definition: Record<string, ServiceDefinition[string]> = {};
  const implementation: UntypedServiceImplementation = {};
  const reported = new Set<string>();
  for (const [method, spec] of Object.entries(reflected.methods)) {
    if (spec.requestStream || spec.responseStream) continue;
    const requestType = root.lookupType(qualify(spec.requestType, packageName));
    const responseType = root.lookupType(qualify(spec.responseType, packageName));
    definition[method] = {
      path: `/${service.name}/${method}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: object) => Buffer.from(requestType.encode(value).finish()),
      requestDeserialize: (bytes: Buffer) => requestType.decode(bytes),
      responseSerialize: (value: object) => Buffer.from(responseType.encode(value).finish()),
      responseDeserialize: (bytes: Buffer) => responseType.decode(bytes),
    };
    const handler = service.handlers[method];
    implementation[method] = (call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => {
      options.onCall(method, handler !== undefined);
      if (!handler) {
        if (!reported.has(method)) {
          reported.add(method);
          options.log(`${service.name}/${method} is not implemented by the in-memory Temporal service`);
        }
        const details = `${method} is not implemented by the in-memory Temporal service`;
        callback({ code: status.UNIMPLEMENTED, details });
        return;
      }
      const cancelled = new AbortController();
      call.on('cancelled', () => cancelled.abort());
      const signal = AbortSignal.any([cancelled.signal, stopping]);
      Promise.resolve()
        .then(() => handler(call.request, { signal }))
        .then(
          (response) => callback(null, response),
          (err: unknown) => callback(toServiceError(err, method, options.log)),
        );
    };
  }
  return { definition, implementation };
}

function qualify(typeName: string, packageName: string): string {
  return typeName.includes('.') ? typeName : `${packageName}.${typeName}`;
}

function toServiceError(err: unknown, method: string, log: (message: string) => void) {
  if (err instanceof RpcError) {
    const metadata = new Metadata();
    const details = err.statusDetails();
    if (details) metadata.set('grpc-status-details-bin', details);
    return { code: err.code, details: err.message, metadata };
  }
  log(`internal error in ${method}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return { code: status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}
