import type { RoomSnapshot, SettingField } from '@gamebuddies/protocol';
import { h, replaceKeepingInput, srOnly, tickCountdowns, type Child } from './dom.js';
import { bingoScreen } from './games/bingo.js';
import { clueScreen } from './games/clue.js';
import { ddfScreen } from './games/ddf.js';
import { rpsScreen } from './games/rps.js';
import type { GameScreen, ScreenContext } from './games/screen.js';
import { susdScreen } from './games/susd.js';
import type { RoomClient, SendResult } from '@gamebuddies/client';
import { fetchGames } from './home.js';
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
  offline: 'offline',
  closed: 'disconnected',
} as const;

/**
 * After an action of mine moved the game on, its buttons stay disabled this long: the second click
 * of a double click would otherwise land on the next turn's button drawn under the pointer.
 */
const SETTLE_MS = 500;

type Confirming = { playerId: string; action: 'kick' | 'host' } | { action: 'leave' } | null;

/** The room page: code and status, the game, players, chat. Redraws only the parts that changed. */
export function mountRoom(app: HTMLElement, client: RoomClient): void {
  const status = h('span', { className: 'status', 'data-testid': 'status', role: 'status' });
  const code = h('span', { className: 'code', 'data-testid': 'room-code' });
  const gameTitle = h('span', {});
  const error = h('p', { className: 'error', role: 'alert', 'data-testid': 'error' });
  const game = h('section', { className: 'game', 'data-testid': 'game', 'aria-label': 'Game' });
  const players = h('ul', { className: 'players', 'data-testid': 'players' });
  const leaveArea = h('div', { className: 'leave' });
  const chat = h('ol', { className: 'chat', 'data-testid': 'chat', 'aria-label': 'Chat messages' });
  const invite = h('input', {
    id: 'invite-link',
    readOnly: true,
    onfocus: (e: Event) => (e.target as HTMLInputElement).select(),
  });
  const chatInput = h('input', {
    name: 'chat',
    maxLength: 500,
    placeholder: 'Say something',
    autocomplete: 'off',
    'aria-label': 'Chat message',
  });

  let confirming: Confirming = null;
  let settingFields: Record<string, SettingField[]> = {};
  const saved = { shown: false };

  const showError = (text: string) => (error.textContent = text);
  /** A refusal is shown until it no longer applies; a stale action is no news (the game moved on). */
  const outcome = (result: SendResult): boolean => {
    if (result.ok) {
      showError('');
      return true;
    }
    if (result.error.code !== 'STALE_ACTION') showError(result.error.message);
    return false;
  };
  const send = (event: Parameters<RoomClient['send']>[0], payload?: object) =>
    client.send(event, payload).then(outcome);

  // While a game action waits for its answer, the game's buttons are disabled (and a little longer
  // when it moved the game on): a double click acts once.
  let pending = 0;
  let settleUntil = 0;
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  const guardButtons = () => {
    const busy = pending > 0 || Date.now() < settleUntil;
    for (const button of game.querySelectorAll<HTMLButtonElement>('button')) {
      if (button.closest('[data-free]')) continue;
      // A form's button is pressed by typing into the form first: no stray second click to absorb.
      // A submit button guarded while the action was pending is released as soon as the answer came,
      // or text typed into the next turn's form would be dropped by the Enter key.
      const settling = busy && pending === 0;
      if (settling && button.type === 'submit') {
        if (button.dataset.guarded !== undefined) {
          button.disabled = false;
          delete button.dataset.guarded;
        }
        continue;
      }
      if (busy && !button.disabled) {
        button.disabled = true;
        button.dataset.guarded = '';
      } else if (!busy && button.dataset.guarded !== undefined) {
        button.disabled = false;
        delete button.dataset.guarded;
      }
    }
    clearTimeout(settleTimer);
    if (busy && pending === 0) settleTimer = setTimeout(guardButtons, settleUntil - Date.now() + 5);
  };
  const act: ScreenContext<never>['act'] = async (action, options) => {
    const turn = client.room?.turn;
    pending++;
    guardButtons();
    const result = await client.act(action, options);
    pending--;
    if (client.room?.turn !== turn) settleUntil = Date.now() + SETTLE_MS;
    guardButtons();
    return outcome(result);
  };

  const leaveButton = h(
    'button',
    {
      className: 'link',
      onclick: () => {
        confirming = { action: 'leave' };
        drawLeave();
      },
    },
    'Leave room',
  );
  const drawLeave = () => {
    if (confirming?.action !== 'leave') return leaveArea.replaceChildren(leaveButton);
    leaveArea.replaceChildren(
      h('span', {}, 'Leave this room for good? '),
      h('button', { className: 'bad', onclick: () => void client.leave() }, 'Yes, leave'),
      h(
        'button',
        {
          onclick: () => {
            confirming = null;
            drawLeave();
          },
        },
        'Stay',
      ),
    );
  };
  drawLeave();

  app.replaceChildren(
    h(
      'header',
      { className: 'room-header' },
      h('div', {}, 'Room ', code, ' · ', gameTitle),
      status,
      leaveArea,
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
        h('label', { className: 'invite', for: 'invite-link' }, 'Invite link'),
        invite,
        h('h2', {}, 'Chat'),
        chat,
        h(
          'form',
          {
            className: 'inline',
            onsubmit: (event: Event) => {
              event.preventDefault();
              const text = chatInput.value.trim();
              if (!text) return;
              void send('room:chat', { text }).then((ok) => {
                if (ok && chatInput.value.trim() === text) chatInput.value = '';
              });
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

  const playerRow = (p: RoomSnapshot['players'][number], me: string, isHost: boolean) => {
    const manage =
      isHost && p.id !== me
        ? confirming && 'playerId' in confirming && confirming.playerId === p.id
          ? h(
              'div',
              { className: 'confirm', role: 'group', 'aria-label': `Confirm for ${p.name}` },
              h(
                'span',
                {},
                confirming.action === 'kick' ? `Remove ${p.name} from the room?` : `Make ${p.name} the host?`,
              ),
              h(
                'button',
                {
                  className: confirming.action === 'kick' ? 'bad' : 'primary',
                  onclick: () => {
                    const action = confirming?.action;
                    confirming = null;
                    playersKey = '';
                    render(client.room!);
                    if (action === 'kick') void send('room:kick', { playerId: p.id });
                    else void send('room:transfer-host', { playerId: p.id });
                  },
                },
                confirming.action === 'kick' ? 'Yes, remove' : 'Yes, make host',
              ),
              h(
                'button',
                {
                  onclick: () => {
                    confirming = null;
                    playersKey = '';
                    render(client.room!);
                  },
                },
                'Cancel',
              ),
            )
          : h(
              'details',
              { className: 'manage', 'data-key': `manage-${p.id}` },
              h('summary', { 'aria-label': `Manage ${p.name}` }, 'Manage'),
              h(
                'div',
                { className: 'menu' },
                h(
                  'button',
                  {
                    'aria-label': `Make ${p.name} the host`,
                    onclick: () => {
                      confirming = { playerId: p.id, action: 'host' };
                      playersKey = '';
                      render(client.room!);
                    },
                  },
                  'Make host',
                ),
                h(
                  'button',
                  {
                    className: 'bad',
                    'aria-label': `Remove ${p.name} from the room`,
                    onclick: () => {
                      confirming = { playerId: p.id, action: 'kick' };
                      playersKey = '';
                      render(client.room!);
                    },
                  },
                  'Remove from room',
                ),
              ),
            )
        : null;
    return h(
      'li',
      { className: p.connected ? 'online' : 'offline', 'data-player': p.name },
      h('span', { className: 'dot', 'aria-hidden': 'true' }),
      h(
        'span',
        { className: 'who' },
        h('span', { className: 'name' }, p.name),
        p.id === me && h('span', { className: 'muted' }, ' (you)'),
        p.role === 'host' && h('span', { className: 'badge' }, 'host'),
        p.connected ? srOnly(' online') : h('span', { className: 'presence' }, ' offline'),
      ),
      manage,
    );
  };

  const render = (room: RoomSnapshot) => {
    const me = client.playerId!;
    const isHost = room.hostId === me;
    const nameOf = (id: string | null | undefined) => {
      const seated = room.players.find((p) => p.id === id)?.name;
      if (seated) return seated;
      const former = id ? room.formerPlayers?.[id] : undefined;
      return former ? `${former} (left)` : 'someone';
    };
    code.textContent = room.roomCode;
    const entry = SCREENS[room.gameType];
    gameTitle.textContent = entry?.title ?? room.gameType;
    invite.value = `${location.origin}/?room=${room.roomCode}&role=player`;

    const nextPlayers = JSON.stringify([room.players, room.hostId]);
    if (nextPlayers !== playersKey) {
      if (confirming && 'playerId' in confirming) {
        const target = confirming.playerId;
        if (!isHost || !room.players.some((p) => p.id === target)) confirming = null;
      }
      playersKey = JSON.stringify([room.players, room.hostId]);
      replaceKeepingInput(
        players,
        room.players.map((p) => playerRow(p, me, isHost)),
      );
    }

    const last = room.chat.at(-1);
    const nextChat = `${room.chat.length}:${last?.id ?? ''}`;
    if (nextChat !== chatKey) {
      chatKey = nextChat;
      chat.replaceChildren(...room.chat.map((m) => h('li', {}, h('strong', {}, m.name), ': ', m.text)));
      chat.scrollTop = chat.scrollHeight;
    }

    const fields = settingFields[room.gameType];
    const nextGame = JSON.stringify([
      room.game,
      room.phase,
      room.results,
      room.players,
      room.hostId,
      room.settings,
      Boolean(fields),
    ]);
    if (nextGame === gameKey || !entry) return;
    // What was refused before may no longer apply now that the game moved on.
    if (gameKey) showError('');
    gameKey = nextGame;
    screen = entry.screen;
    const ctx: ScreenContext<never> = {
      room,
      game: room.game as never,
      me,
      isHost,
      client,
      name: nameOf,
      act,
    };
    const children: Child[] = [h('h2', {}, entry.title)];
    if (isHost && room.phase !== 'playing' && fields) {
      children.push(
        h(
          'div',
          { 'data-free': '' },
          settingsForm(
            fields,
            { ...room.settings, maxPlayers: room.maxPlayers },
            (changes) => send('room:settings', changes),
            saved,
          ),
        ),
      );
    }
    children.push(...entry.screen.render(ctx));
    replaceKeepingInput(game, children);
    guardButtons();
  };

  const showStatus = () => {
    status.textContent = STATUS_TEXT[client.status];
    status.className = `status ${client.status}`;
  };
  showStatus();
  client.on('state', render);
  client.on('status', showStatus);
  client.on('closed', (info) => {
    screen?.dispose?.();
    // Before a seat was taken the page that opened the room says why; after, the room is gone for us.
    if (!client.playerId || info.reason === 'left') return;
    app.replaceChildren(closedCard(info.reason, info.message));
  });
  if (client.room) render(client.room);
  void fetchGames()
    .then(({ games }) => {
      settingFields = Object.fromEntries(games.map((g) => [g.gameType, g.settings ?? []]));
      if (client.room) render(client.room);
    })
    .catch(() => undefined);
  setInterval(tickCountdowns, 500);
}

/** What is left of the room page once the room is gone for this player. */
function closedCard(reason: string, message: string): HTMLElement {
  const replaced = reason === 'replaced';
  const kicked = reason === 'room_closed:kicked';
  return h(
    'section',
    { className: 'card-box closed', 'data-testid': 'closed' },
    h(
      'h1',
      {},
      replaced ? 'This seat is open in another window' : kicked ? 'You were removed' : 'Room closed',
    ),
    h('p', { role: 'alert' }, `${message}.`),
    replaced &&
      h('button', { className: 'primary', onclick: () => location.reload() }, 'Use it in this window'),
    h('p', {}, h('a', { href: '/' }, 'Back to the start page')),
  );
}
