import type { RoomSnapshot } from '@gamebuddies/protocol';
import { h, replaceKeepingInput, tickCountdowns, type Child } from './dom.js';
import { bingoScreen } from './games/bingo.js';
import { clueScreen } from './games/clue.js';
import { ddfScreen } from './games/ddf.js';
import { rpsScreen } from './games/rps.js';
import type { GameScreen, ScreenContext } from './games/screen.js';
import { susdScreen } from './games/susd.js';
import type { RoomClient, SendResult } from '@gamebuddies/client';
import { settingsForm } from './settingsForm.js';

const SCREENS: Record<string, { title: string; screen: GameScreen<never> }> = {
  rps: { title: 'Rock Paper Scissors', screen: rpsScreen },
  ddf: { title: 'DDF Quiz', screen: ddfScreen },
  susd: { title: "SUS'D", screen: susdScreen },
  bingo: { title: 'BingoBuddies', screen: bingoScreen },
  clue: { title: 'ClueScale', screen: clueScreen },
};

const STATUS_TEXT = {
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  closed: 'disconnected',
} as const;

/** The room page: code and status, the game, players, chat. Redraws only the parts that changed. */
export function mountRoom(app: HTMLElement, client: RoomClient): void {
  const status = h('span', { className: 'status', 'data-testid': 'status' }, STATUS_TEXT[client.status]);
  const code = h('span', { className: 'code', 'data-testid': 'room-code' });
  const gameTitle = h('span', {});
  const error = h('p', { className: 'error', role: 'alert', 'data-testid': 'error' });
  const game = h('section', { className: 'game', 'data-testid': 'game' });
  const players = h('ul', { className: 'players', 'data-testid': 'players' });
  const chat = h('ol', { className: 'chat', 'data-testid': 'chat' });
  const invite = h('input', {
    readOnly: true,
    'aria-label': 'Invite link',
    onfocus: (e: Event) => (e.target as HTMLInputElement).select(),
  });
  const chatInput = h('input', {
    name: 'chat',
    maxLength: 500,
    placeholder: 'Say something',
    autocomplete: 'off',
    'aria-label': 'Chat message',
  });

  const show = (result: SendResult) => {
    error.textContent = result.ok ? '' : result.error.message;
  };
  const send = (event: Parameters<RoomClient['send']>[0], payload?: object) =>
    void client.send(event, payload).then(show);

  app.replaceChildren(
    h(
      'header',
      { className: 'room-header' },
      h('div', {}, 'Room ', code, ' · ', gameTitle),
      status,
      h('button', { className: 'link', onclick: () => void client.leave() }, 'Leave'),
    ),
    error,
    h(
      'div',
      { className: 'layout' },
      game,
      h(
        'aside',
        {},
        h('h2', {}, 'Players'),
        players,
        h('label', { className: 'invite' }, 'Invite link', invite),
        h('h2', {}, 'Chat'),
        chat,
        h(
          'form',
          {
            className: 'inline',
            onsubmit: (event: Event) => {
              event.preventDefault();
              const text = chatInput.value.trim();
              chatInput.value = '';
              if (text) send('room:chat', { text });
            },
          },
          chatInput,
          h('button', { type: 'submit' }, 'Send'),
        ),
      ),
    ),
  );

  let gameKey = '';
  let playersKey = '';
  let chatKey = '';
  let screen: GameScreen<never> | null = null;

  const render = (room: RoomSnapshot) => {
    const me = client.playerId!;
    const isHost = room.hostId === me;
    const nameOf = (id: string | null | undefined) =>
      room.players.find((p) => p.id === id)?.name ?? 'someone';
    code.textContent = room.roomCode;
    const entry = SCREENS[room.gameType];
    gameTitle.textContent = entry?.title ?? room.gameType;
    invite.value = `${location.origin}/?room=${room.roomCode}&role=player`;

    const nextPlayers = JSON.stringify([room.players, room.hostId]);
    if (nextPlayers !== playersKey) {
      playersKey = nextPlayers;
      players.replaceChildren(
        ...room.players.map((p) =>
          h(
            'li',
            { className: p.connected ? 'online' : 'offline', 'data-player': p.name },
            h('span', { className: 'dot', title: p.connected ? 'connected' : 'disconnected' }),
            p.name,
            p.id === me && h('span', { className: 'muted' }, ' (you)'),
            p.role === 'host' && h('span', { className: 'badge' }, 'host'),
            isHost &&
              p.id !== me &&
              h(
                'span',
                { className: 'actions' },
                h(
                  'button',
                  { className: 'link', onclick: () => send('room:kick', { playerId: p.id }) },
                  'kick',
                ),
                h(
                  'button',
                  { className: 'link', onclick: () => send('room:transfer-host', { playerId: p.id }) },
                  'make host',
                ),
              ),
          ),
        ),
      );
    }

    const last = room.chat.at(-1);
    const nextChat = `${room.chat.length}:${last?.id ?? ''}`;
    if (nextChat !== chatKey) {
      chatKey = nextChat;
      chat.replaceChildren(...room.chat.map((m) => h('li', {}, h('strong', {}, m.name), ': ', m.text)));
      chat.scrollTop = chat.scrollHeight;
    }

    const nextGame = JSON.stringify([
      room.game,
      room.phase,
      room.results,
      room.players,
      room.hostId,
      room.settings,
    ]);
    if (nextGame === gameKey || !entry) return;
    gameKey = nextGame;
    screen = entry.screen;
    const ctx: ScreenContext<never> = {
      room,
      game: room.game as never,
      me,
      isHost,
      client,
      name: nameOf,
      act: (action) => send('game:action', action),
    };
    const children: Child[] = [h('h2', {}, entry.title)];
    if (isHost && room.phase !== 'playing') {
      children.push(
        settingsForm(room.settings, room.maxPlayers, entry.screen.extraSettings ?? [], (changes) =>
          send('room:settings', changes),
        ),
      );
    }
    children.push(...entry.screen.render(ctx));
    replaceKeepingInput(game, children);
  };

  client.on('state', render);
  client.on('status', (next, detail) => {
    status.textContent = next === 'closed' && detail ? detail : STATUS_TEXT[next];
    status.className = `status ${next}`;
  });
  client.on('closed', () => screen?.dispose?.());
  if (client.room) render(client.room);
  setInterval(tickCountdowns, 500);
}
