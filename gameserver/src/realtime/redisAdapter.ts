import { createShardedAdapter } from '@socket.io/redis-adapter';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { ServerOptions } from 'socket.io';
import type { Config } from '../config/config.js';
import { type Logger, type RedisClient, createRedisClient, isRedisCluster } from '@gamebuddies/rooms';
export interface RedisAdapter {
  adapter: NonNullable<ServerOptions['adapter']>;
  close(): Promise<void>;
}

/**
 * The Socket.IO adapter that makes `io.to(room).emit` reach the room's players on every server.
 * `sharded` (the default, see docs/state.md for the measurement): Redis 7 sharded Pub/Sub, where a
 * server subscribes only to the rooms it has sockets in. `streams`: one Redis stream read by every
 * server; it rides out Redis restarts without losing packets, at the cost of every server reading
 * every broadcast. Adapter clients queue commands while Redis is away (unlike the store's clients).
 * On a Redis Cluster a room's channel hashes to one slot: SPUBLISH goes to that shard only, and the
 * subscriber keeps one connection per master (ioredis' sharded subscribers) so each SSUBSCRIBE
 * lands on the shard that owns its channel, and follows it when the slot moves.
 */
export function createRedisAdapter(config: Config, log: Logger): RedisAdapter {
  const clients: RedisClient[] = [];
  const client = (name: string, shardedSubscriber = false) => {
    const c = createRedisClient(config, {
      name,
      failFast: false,
      shardedSubscriber: shardedSubscriber && isRedisCluster(config),
    });
    c.on('error', (error: Error) => log.debug({ err: error, client: name }, 'adapter redis error'));
    clients.push(c);
    return c;
  };
  const prefix = `${config.redisKeyPrefix}sio`;
  const adapter =
    config.socketAdapter === 'streams'
      ? createStreamsAdapter(client('gb-adapter'), {
          streamName: prefix,
          maxLen: 10_000,
          onlyPlaintext: true,
        })
      : createShardedAdapter(client('gb-adapter-pub'), client('gb-adapter-sub', true), {
          channelPrefix: prefix,
          subscriptionMode: 'dynamic',
        });
  return {
    adapter,
    async close() {
      await Promise.allSettled(clients.map((c) => c.quit()));
      for (const c of clients) c.disconnect();
    },
  };
}
