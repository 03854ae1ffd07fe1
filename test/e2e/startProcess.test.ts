import { describe, expect, it } from '@jest/globals';
import { freePort } from '../helpers/ports.js';
import { RunningProcess } from '../helpers/processes.js';
import { TestPlayer } from '../helpers/players.js';

// What `npm start` runs (after building): the real entry point in its own process.
const ENTRY = 'gameserver/dist/main.js';

describe('the game server process', () => {
  it('starts in memory, serves the page, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const proc = RunningProcess.node([ENTRY], {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      API_KEYS: '',
    });
    try {
      await proc.waitFor(/game server listening/);
      const url = `http://127.0.0.1:${port}`;
      const page = await fetch(url + '/');
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('GameBuddies Rooms');
      const created = await fetch(url + '/play/rooms', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ gameType: 'rps', hostName: 'Host' }),
      });
      const room = (await created.json()) as any;
      const host = await TestPlayer.join(url, { roomCode: room.roomCode, token: room.hostToken });
      const closed = host.next('room:closed');
      proc.kill('SIGTERM');
      expect(await closed).toEqual({ reason: 'server_shutdown' });
      expect(await proc.exited).toBe(0);
      expect(proc.output).toContain('shut down');
      // The Rooms API keys never reach the log; neither do tokens.
      expect(proc.output).not.toContain(room.hostToken);
    } finally {
      proc.kill('SIGKILL');
    }
  });

  it('refuses to start on bad configuration, naming the variable', async () => {
    const proc = RunningProcess.node([ENTRY], { PORT: 'not-a-port', MAX_ROOMS: '-3' });
    expect(await proc.exited).toBe(2);
    expect(proc.output).toContain('PORT=');
    expect(proc.output).toContain('MAX_ROOMS=');
  });
});
