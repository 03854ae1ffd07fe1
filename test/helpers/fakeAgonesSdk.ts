import { createRequire } from 'node:module';
import type * as GrpcJs from '@grpc/grpc-js';

/**
 * FAKE Agones SDK server (the sidecar's gRPC API) for the integration layer, which runs without the
 * test control plane; the cluster layer runs Agones' real sdk-server (test/cluster/README.md). It
 * serves the SDK service and its beta Counters/Lists service from the generated definitions the npm
 * package ships, follows the behaviour of Agones' local SDK server (Ready/Allocate/Shutdown/Reserve
 * change the state; lists refuse duplicates and values past capacity; every change is streamed to
 * WatchGameServer), records each call, and lets a test change the GameServer as Agones would (an
 * allocation adding a room code, an annotation, a state).
 */

const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@google-cloud/agones-sdk'));
const grpc = sdkRequire('@grpc/grpc-js') as typeof GrpcJs;
const sdkPb = sdkRequire('../lib/sdk_pb.js');
const sdkGrpc = sdkRequire('../lib/sdk_grpc_pb.js');
const betaPb = sdkRequire('../lib/beta/beta_pb.js');
const betaGrpc = sdkRequire('../lib/beta/beta_grpc_pb.js');
const jspb = sdkRequire('google-protobuf');

// google-protobuf 4.0.1 (the version the SDK pins) has no Map#serializeBinary, which the generated
// code calls for map fields (labels, lists, counters). A map entry is a message { 1: key, 2: value }.
if (!jspb.Map.prototype.serializeBinary) {
  jspb.Map.prototype.serializeBinary = function (
    this: { forEach(cb: (value: unknown, key: unknown) => void): void },
    fieldNumber: number,
    writer: { writeMessage(field: number, value: unknown, write: (v: unknown, w: unknown) => void): void },
    keyWriter: (this: unknown, field: number, key: unknown) => void,
    valueWriter: (this: unknown, field: number, value: unknown, callback?: unknown) => void,
    valueCallback?: unknown,
  ) {
    this.forEach((value, key) => {
      writer.writeMessage(fieldNumber, { key, value }, (entry, entryWriter) => {
        const { key: k, value: v } = entry as { key: unknown; value: unknown };
        keyWriter.call(entryWriter, 1, k);
        valueWriter.call(entryWriter, 2, v, valueCallback);
      });
    });
  };
}

export interface FakeGameServer {
  name: string;
  state: string;
  address: string;
  port: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  lists: Record<string, { capacity: number; values: string[] }>;
  counters: Record<string, { count: number; capacity: number }>;
}

type Callback = (error: Error | null, response?: unknown) => void;
interface Call {
  request: any;
}
interface WatchCall {
  write(message: unknown): void;
  on(event: 'cancelled' | 'close', listener: () => void): void;
  end(): void;
}

function grpcError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code, details: message });
}

export class FakeAgonesSdk {
  readonly calls: string[] = [];
  readonly gameServer: FakeGameServer;
  private readonly server = new grpc.Server();
  private readonly watchers = new Set<WatchCall>();
  private healthPings = 0;
  port = 0;

  constructor(initial: Partial<FakeGameServer> = {}) {
    this.gameServer = {
      name: 'gameserver-test',
      state: 'Scheduled',
      address: '127.0.0.1',
      port: 7000,
      labels: {},
      annotations: {},
      lists: { rooms: { capacity: 0, values: [] } },
      counters: { players: { count: 0, capacity: 1000 } },
      ...initial,
    };
  }

  get health(): number {
    return this.healthPings;
  }

  async start(): Promise<number> {
    const unary = (name: string, handle: (request: any) => unknown) => (call: Call, callback: Callback) => {
      this.calls.push(name);
      try {
        callback(null, handle(call.request));
      } catch (error) {
        callback(error as Error);
      }
    };
    const empty = () => new sdkPb.Empty();
    const setState = (state: string) => () => {
      this.gameServer.state = state;
      this.push();
      return empty();
    };
    this.server.addService(sdkGrpc['agones.dev.sdk.SDK'], {
      ready: unary('Ready', setState('Ready')),
      allocate: unary('Allocate', setState('Allocated')),
      shutdown: unary('Shutdown', setState('Shutdown')),
      reserve: unary('Reserve', setState('Reserved')),
      getGameServer: unary('GetGameServer', () => this.message()),
      setLabel: unary('SetLabel', (r) => {
        this.gameServer.labels[`agones.dev/sdk-${r.getKey()}`] = r.getValue();
        this.push();
        return empty();
      }),
      setAnnotation: unary('SetAnnotation', (r) => {
        this.gameServer.annotations[`agones.dev/sdk-${r.getKey()}`] = r.getValue();
        this.push();
        return empty();
      }),
      health: (call: { on(event: string, listener: () => void): void }, callback: Callback) => {
        call.on('data', () => {
          this.healthPings++;
        });
        call.on('end', () => callback(null, empty()));
      },
      watchGameServer: (call: WatchCall) => {
        this.calls.push('WatchGameServer');
        this.watchers.add(call);
        call.write(this.message());
        call.on('cancelled', () => this.watchers.delete(call));
        call.on('close', () => this.watchers.delete(call));
      },
    });
    this.server.addService(betaGrpc['agones.dev.sdk.beta.SDK'], {
      getCounter: unary('GetCounter', (r) => this.counterMessage(r.getName())),
      updateCounter: unary('UpdateCounter', (r) => {
        const update = r.getCounterupdaterequest();
        const counter = this.requireCounter(update.getName());
        if (update.getCapacity()) counter.capacity = update.getCapacity().getValue();
        const next = update.getCount() ? update.getCount().getValue() : counter.count + update.getCountdiff();
        if (next < 0 || next > counter.capacity)
          throw grpcError(grpc.status.OUT_OF_RANGE, 'count out of range');
        counter.count = next;
        this.push();
        return this.counterMessage(update.getName());
      }),
      getList: unary('GetList', (r) => this.listMessage(r.getName())),
      updateList: unary('UpdateList', (r) => {
        const list = r.getList();
        const current = this.requireList(list.getName());
        const paths: string[] = r.getUpdateMask()?.getPathsList() ?? [];
        if (paths.includes('capacity')) current.capacity = list.getCapacity();
        if (paths.includes('values')) current.values = list.getValuesList();
        current.values = current.values.slice(0, current.capacity);
        this.push();
        return this.listMessage(list.getName());
      }),
      addListValue: unary('AddListValue', (r) => {
        const list = this.requireList(r.getName());
        if (list.values.includes(r.getValue()))
          throw grpcError(grpc.status.ALREADY_EXISTS, 'value already in list');
        if (list.values.length >= list.capacity)
          throw grpcError(grpc.status.OUT_OF_RANGE, 'list at capacity');
        list.values.push(r.getValue());
        this.push();
        return this.listMessage(r.getName());
      }),
      removeListValue: unary('RemoveListValue', (r) => {
        const list = this.requireList(r.getName());
        if (!list.values.includes(r.getValue())) throw grpcError(grpc.status.NOT_FOUND, 'value not in list');
        list.values = list.values.filter((v) => v !== r.getValue());
        this.push();
        return this.listMessage(r.getName());
      }),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    return this.port;
  }

  /** What Agones does on allocation: the code joins the rooms List and the server is Allocated. */
  allocateRoom(code: string): void {
    if (!['Ready', 'Allocated'].includes(this.gameServer.state))
      throw new Error(
        `Agones allocates only Ready or Allocated GameServers (this one is ${this.gameServer.state})`,
      );
    this.gameServer.lists.rooms!.values.push(code);
    this.gameServer.state = 'Allocated';
    this.push();
  }

  /** What the operator does when a room moves away or is deleted. */
  removeRoom(code: string): void {
    this.gameServer.lists.rooms!.values = this.gameServer.lists.rooms!.values.filter((v) => v !== code);
    this.push();
  }

  /** What `kubectl label gs …` or the Fleet's allocationOverflow does. */
  setLabel(key: string, value: string): void {
    this.gameServer.labels[key] = value;
    this.push();
  }

  setAnnotation(key: string, value: string): void {
    this.gameServer.annotations[key] = value;
    this.push();
  }

  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }

  async stop(): Promise<void> {
    for (const watcher of this.watchers) watcher.end();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  private push(): void {
    const message = this.message();
    for (const watcher of this.watchers) watcher.write(message);
  }

  private requireList(name: string) {
    const list = this.gameServer.lists[name];
    if (!list) throw grpcError(grpc.status.NOT_FOUND, `no list ${name}`);
    return list;
  }

  private requireCounter(name: string) {
    const counter = this.gameServer.counters[name];
    if (!counter) throw grpcError(grpc.status.NOT_FOUND, `no counter ${name}`);
    return counter;
  }

  private listMessage(name: string) {
    const list = this.requireList(name);
    const message = new betaPb.List();
    message.setName(name);
    message.setCapacity(list.capacity);
    message.setValuesList([...list.values]);
    return message;
  }

  private counterMessage(name: string) {
    const counter = this.requireCounter(name);
    const message = new betaPb.Counter();
    message.setName(name);
    message.setCount(counter.count);
    message.setCapacity(counter.capacity);
    return message;
  }

  /** The GameServer as the sidecar sends it. */
  private message() {
    const gs = this.gameServer;
    const meta = new sdkPb.GameServer.ObjectMeta();
    meta.setName(gs.name);
    meta.setNamespace('default');
    for (const [k, v] of Object.entries(gs.labels)) meta.getLabelsMap().set(k, v);
    for (const [k, v] of Object.entries(gs.annotations)) meta.getAnnotationsMap().set(k, v);
    const status = new sdkPb.GameServer.Status();
    status.setState(gs.state);
    status.setAddress(gs.address);
    const port = new sdkPb.GameServer.Status.Port();
    port.setName('default');
    port.setPort(gs.port);
    status.setPortsList([port]);
    for (const [name, list] of Object.entries(gs.lists)) {
      const entry = new sdkPb.GameServer.Status.ListStatus();
      entry.setCapacity(list.capacity);
      entry.setValuesList([...list.values]);
      status.getListsMap().set(name, entry);
    }
    for (const [name, counter] of Object.entries(gs.counters)) {
      const entry = new sdkPb.GameServer.Status.CounterStatus();
      entry.setCount(counter.count);
      entry.setCapacity(counter.capacity);
      status.getCountersMap().set(name, entry);
    }
    const message = new sdkPb.GameServer();
    message.setObjectMeta(meta);
    message.setStatus(status);
    return message;
  }
}
