import { Histogram } from './histogram.js';

export interface CreatedRoom {
  roomCode: string;
  url: string;
  hostToken: string;
  playerJoinUrl: string;
}

/** Creates rooms through the Rooms API, 8 at a time, timing each request (the seed's room creation time). */
export async function createRooms(
  apiUrl: string,
  apiKey: string,
  count: number,
  body: { gameType: string; maxPlayers: number },
): Promise<{ rooms: CreatedRoom[]; creation: Histogram }> {
  const creation = new Histogram();
  const rooms: CreatedRoom[] = [];
  let next = 0;
  const one = async () => {
    while (next < count) {
      next++;
      const t0 = performance.now();
      const response = await fetch(`${apiUrl}/v1/rooms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, hostName: 'host' }),
      });
      const created = (await response.json()) as CreatedRoom & { error?: { code: string; message: string } };
      if (response.status !== 201) {
        throw new Error(
          `creating a room: ${response.status} ${created.error?.code}: ${created.error?.message}`,
        );
      }
      creation.record(performance.now() - t0);
      rooms.push(created);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, count) }, one));
  return { rooms, creation };
}

/** Games the server offers, with their player limits (`GET /play/games`). */
export async function gameLimits(
  apiUrl: string,
  gameType: string,
): Promise<{ minPlayers: number; maxPlayers: number; all: string[] } | { all: string[] }> {
  const body = (await (await fetch(`${apiUrl}/play/games`)).json()) as {
    games: Array<{ gameType: string; minPlayers: number; maxPlayers: number }>;
  };
  const all = body.games.map((g) => g.gameType);
  const game = body.games.find((g) => g.gameType === gameType);
  return game ? { minPlayers: game.minPlayers, maxPlayers: game.maxPlayers, all } : { all };
}
