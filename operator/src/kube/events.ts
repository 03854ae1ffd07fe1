import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { GameRoom } from '../crd/gameRoom.generated.js';

/** Kubernetes Events on GameRooms (`kubectl describe gameroom` shows them). Never fails a reconcile. */
export class EventRecorder {
  constructor(
    private readonly core: CoreV1Api,
    private readonly component: string,
    private readonly log: Logger,
  ) {}

  record(room: GameRoom, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const meta = room.metadata!;
    const now = new Date();
    this.core
      .createNamespacedEvent({
        namespace: meta.namespace!,
        body: {
          metadata: { generateName: `${meta.name}.`, namespace: meta.namespace },
          involvedObject: {
            apiVersion: room.apiVersion ?? 'gamebuddies.io/v1alpha1',
            kind: 'GameRoom',
            name: meta.name,
            namespace: meta.namespace,
            uid: meta.uid,
            resourceVersion: meta.resourceVersion,
          },
          type,
          reason,
          message,
          source: { component: this.component },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          reportingComponent: this.component,
        },
      })
      .catch((error: unknown) => this.log.debug({ err: error, reason }, 'could not record an event'));
  }
}
