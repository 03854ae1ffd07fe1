import { h } from './dom.js';

interface GameInfo {
  gameType: string;
  displayName: string;
  minPlayers: number;
  maxPlayers: number;
}

const NAME_KEY = 'gb:name';

/** The start page: create a room (when the server allows it) or join one by its code. */
export async function renderHome(app: HTMLElement, notice?: string): Promise<void> {
  const error = h('p', { className: 'error', role: 'alert' }, notice ?? '');
  const nameInput = h('input', {
    name: 'name',
    maxLength: 32,
    required: true,
    value: localStorage.getItem(NAME_KEY) ?? '',
    'aria-label': 'Your name',
  });
  const gameSelect = h('select', { name: 'gameType', 'aria-label': 'Game' });
  const create = h(
    'form',
    {
      className: 'card-box',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const name = nameInput.value.trim();
        localStorage.setItem(NAME_KEY, name);
        const response = await fetch('/play/rooms', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ gameType: gameSelect.value, hostName: name }),
        });
        const body = (await response.json()) as { hostJoinUrl?: string; error?: { message: string } };
        if (!response.ok || !body.hostJoinUrl) {
          error.textContent = body.error?.message ?? 'The room could not be created';
          return;
        }
        location.href = body.hostJoinUrl;
      },
    },
    h('h2', {}, 'Create a room'),
    h('label', {}, 'Game', gameSelect),
    h('label', {}, 'Your name', nameInput),
    h('button', { type: 'submit', className: 'primary' }, 'Create room'),
  );
  const code = h('input', {
    name: 'code',
    maxLength: 6,
    required: true,
    autocapitalize: 'characters',
    'aria-label': 'Room code',
  });
  const join = h(
    'form',
    {
      className: 'card-box',
      onsubmit: (event: Event) => {
        event.preventDefault();
        location.href = `/?room=${encodeURIComponent(code.value.trim().toUpperCase())}&role=player`;
      },
    },
    h('h2', {}, 'Join a room'),
    h('label', {}, 'Room code', code),
    h('button', { type: 'submit' }, 'Join'),
  );
  app.replaceChildren(h('h1', {}, 'GameBuddies Rooms'), error, create, join);

  try {
    const response = await fetch('/play/games');
    const { games, openRoomCreation } = (await response.json()) as {
      games: GameInfo[];
      openRoomCreation: boolean;
    };
    for (const game of games) {
      gameSelect.append(
        h('option', { value: game.gameType }, `${game.displayName} (${game.minPlayers}–${game.maxPlayers})`),
      );
    }
    create.hidden = !openRoomCreation;
  } catch {
    error.textContent = 'The server cannot be reached.';
  }
}

/** Asks for the player's name before taking a seat. */
export function askName(app: HTMLElement, code: string): Promise<string> {
  return new Promise((resolve) => {
    const input = h('input', {
      name: 'name',
      maxLength: 32,
      required: true,
      value: localStorage.getItem(NAME_KEY) ?? '',
      'aria-label': 'Your name',
    });
    const form = h(
      'form',
      {
        className: 'card-box',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const name = input.value.trim();
          if (!name) return;
          localStorage.setItem(NAME_KEY, name);
          resolve(name);
        },
      },
      h('h2', {}, 'Joining room ', h('span', { className: 'code' }, code)),
      h('label', {}, 'Your name', input),
      h('button', { type: 'submit', className: 'primary' }, 'Join'),
    );
    app.replaceChildren(h('h1', {}, 'GameBuddies Rooms'), form);
    input.focus();
  });
}
