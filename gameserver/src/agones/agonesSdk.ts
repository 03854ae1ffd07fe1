import { createRequire } from 'node:module';

/**
 * The parts of Agones' SDK (the sidecar's gRPC API) this server uses, typed. The npm package
 * @google-cloud/agones-sdk ships no types for its `beta` (Counters and Lists) methods, so the shape of
 * what it returns is declared here.
 */

export interface AgonesList {
  capacity: number;
  values: string[];
}

export interface AgonesCounter {
  count: number;
  capacity: number;
}

/** A GameServer as the SDK reports it (maps turned into records). */
export interface AgonesGameServer {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  address: string;
  ports: Array<{ name: string; port: number }>;
  lists: Record<string, AgonesList>;
  counters: Record<string, AgonesCounter>;
}

export interface AgonesSdk {
  connect(): Promise<void>;
  ready(): Promise<void>;
  shutdown(): Promise<void>;
  /** One health ping (the SDK keeps a stream open). */
  health(onError: (error: Error) => void): void;
  getGameServer(): Promise<AgonesGameServer>;
  watchGameServer(onChange: (gs: AgonesGameServer) => void, onError: (error: Error) => void): void;
  setListCapacity(list: string, capacity: number): Promise<void>;
  deleteListValue(list: string, value: string): Promise<void>;
  setCounterCount(counter: string, count: number): Promise<void>;
  close(): void;
}

/** What `toObject()` of the SDK's GameServer message looks like (protobuf maps are entry arrays). */
interface RawGameServer {
  objectMeta?: {
    name?: string;
    labelsMap?: Array<[string, string]>;
    annotationsMap?: Array<[string, string]>;
  };
  status?: {
    state?: string;
    address?: string;
    portsList?: Array<{ name?: string; port?: number }>;
    listsMap?: Array<[string, { capacity?: number; valuesList?: string[] }]>;
    countersMap?: Array<[string, { count?: number; capacity?: number }]>;
  };
}

interface RawBeta {
  client: {
    updateList(request: unknown, callback: (error: Error | null) => void): void;
  };
  deleteListValue(key: string, value: string): Promise<void>;
  setCounterCount(key: string, amount: number): Promise<void>;
}

interface RawSdk {
  beta: RawBeta;
  connect(): Promise<void>;
  ready(): Promise<unknown>;
  shutdown(): Promise<unknown>;
  health(errorCallback: (error: Error) => void): void;
  getGameServer(): Promise<RawGameServer>;
  watchGameServer(callback: (gs: RawGameServer) => void, errorCallback: (error: Error) => void): void;
  close(): void;
}

export function toGameServer(raw: RawGameServer): AgonesGameServer {
  const status = raw.status ?? {};
  return {
    name: raw.objectMeta?.name ?? '',
    labels: Object.fromEntries(raw.objectMeta?.labelsMap ?? []),
    annotations: Object.fromEntries(raw.objectMeta?.annotationsMap ?? []),
    state: status.state ?? '',
    address: status.address ?? '',
    ports: (status.portsList ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? 0 })),
    lists: Object.fromEntries(
      (status.listsMap ?? []).map(([key, list]) => [
        key,
        { capacity: list.capacity ?? 0, values: list.valuesList ?? [] },
      ]),
    ),
    counters: Object.fromEntries(
      (status.countersMap ?? []).map(([key, counter]) => [
        key,
        { count: counter.count ?? 0, capacity: counter.capacity ?? 0 },
      ]),
    ),
  };
}

/**
 * UpdateList with the mask `capacity`. The package's own `beta.setListCapacity` builds its FieldMask
 * as `new FieldMask({ Name: 'capacity' })`, which google-protobuf reads as no paths at all, so the
 * sidecar is sent an empty mask and leaves the capacity alone (Agones' SDK server updates only the
 * fields named in the mask). The request is built here the same way with the path set.
 */
function setListCapacity(beta: RawBeta, list: string, capacity: number): Promise<void> {
  const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@google-cloud/agones-sdk'));
  const messages = sdkRequire('../lib/beta/beta_pb.js') as {
    List: new () => { setName(v: string): void; setCapacity(v: number): void };
    UpdateListRequest: new () => { setList(v: unknown): void; setUpdateMask(v: unknown): void };
  };
  const fieldMask = sdkRequire('google-protobuf/google/protobuf/field_mask_pb.js') as {
    FieldMask: new () => { setPathsList(v: string[]): void };
  };
  const message = new messages.List();
  message.setName(list);
  message.setCapacity(capacity);
  const mask = new fieldMask.FieldMask();
  mask.setPathsList(['capacity']);
  const request = new messages.UpdateListRequest();
  request.setList(message);
  request.setUpdateMask(mask);
  return new Promise((resolve, reject) =>
    beta.client.updateList(request, (error) => (error ? reject(error) : resolve())),
  );
}

/** The real SDK client: gRPC to the sidecar on localhost:AGONES_SDK_GRPC_PORT (9357 by default). */
export function createAgonesSdk(): AgonesSdk {
  // The package is CommonJS without an ES module entry; loading it lazily keeps standalone servers
  // from loading gRPC at all.
  const AgonesSDK = createRequire(import.meta.url)('@google-cloud/agones-sdk') as new () => RawSdk;
  const sdk = new AgonesSDK();
  return {
    connect: () => sdk.connect(),
    ready: async () => void (await sdk.ready()),
    shutdown: async () => void (await sdk.shutdown()),
    health: (onError) => sdk.health(onError),
    getGameServer: async () => toGameServer(await sdk.getGameServer()),
    watchGameServer: (onChange, onError) =>
      sdk.watchGameServer((raw) => onChange(toGameServer(raw)), onError),
    setListCapacity: (list, capacity) => setListCapacity(sdk.beta, list, capacity),
    deleteListValue: (list, value) => sdk.beta.deleteListValue(list, value),
    setCounterCount: (counter, count) => sdk.beta.setCounterCount(counter, count),
    close: () => sdk.close(),
  };
}
