import type { CoreV1Api } from '@kubernetes/client-node';
import type { GameRoom } from '../crd/gameRoom.generated.js';
import { isConflict } from './clients.js';

/**
 * Host tokens of rooms created outside the Rooms API (a GameRoom applied with kubectl) are kept in a
 * Secret `<gameroom>-host` owned by the GameRoom, so they are deleted with it and readable only by
 * those allowed to read Secrets. Rooms created through the Rooms API return the token to the caller.
 */
export class HostTokenSecrets {
  constructor(
    private readonly core: CoreV1Api,
    private readonly assertLeading?: () => void,
  ) {}

  async save(room: GameRoom, code: string, hostToken: string): Promise<void> {
    const meta = room.metadata!;
    const name = `${meta.name}-host`;
    const body = {
      metadata: {
        name,
        namespace: meta.namespace,
        labels: {
          'app.kubernetes.io/managed-by': 'gamebuddies-operator',
          'gamebuddies.io/room-code': code,
        },
        ownerReferences: [
          {
            apiVersion: room.apiVersion ?? 'gamebuddies.io/v1alpha1',
            kind: 'GameRoom',
            name: meta.name!,
            uid: meta.uid!,
            controller: true,
            blockOwnerDeletion: false,
          },
        ],
      },
      type: 'Opaque',
      stringData: { roomCode: code, hostToken },
    };
    this.assertLeading?.();
    try {
      await this.core.createNamespacedSecret({ namespace: meta.namespace!, body });
    } catch (error) {
      if (!isConflict(error)) throw error;
      // A Secret from an earlier attempt (or an earlier GameRoom of this name) holds a token that no
      // longer opens the room: the token just made is the room's, so it replaces the old one.
      const existing = await this.core.readNamespacedSecret({ name, namespace: meta.namespace! });
      this.assertLeading?.();
      await this.core.replaceNamespacedSecret({
        name,
        namespace: meta.namespace!,
        body: {
          ...body,
          metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion },
        },
      });
    }
  }
}
