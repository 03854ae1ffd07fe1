import type { SettingField } from '@gamebuddies/protocol';
import { h } from './dom.js';

export interface GameInfo {
  gameType: string;
  displayName: string;
  minPlayers: number;
  maxPlayers: number;
  settings: SettingField[];
}

const NAME_KEY = 'gb:name';

/** The games this server offers, with their settings forms (GET /play/games). */
export async function fetchGames(): Promise<{ games: GameInfo[]; openRoomCreation: boolean }> {
  const response = await fetch('/play/games');
  return (await response.json()) as { games: GameInfo[]; openRoomCreation: boolean };
}

/** The start page: create a room (when the server allows it) or join one by its code. */
export async function renderHome(app: HTMLElement, notice?: string): Promise<void> {
  const error = h('p', { className: 'error', role: 'alert', 'data-testid': 'error' }, notice ?? '');
  const nameInput = h('input', {
    id: 'host-name',
    name: 'name',
    maxLength: 32,
    required: true,
    autocomplete: 'nickname',
    value: localStorage.getItem(NAME_KEY) ?? '',
  });
  const gameSelect = h('select', { id: 'game-type', name: 'gameType' });
  const createButton = h('button', { type: 'submit', className: 'primary' }, 'Create room');
  const create = h(
    'form',
    {
      className: 'card-box',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        // One room per press: a double click or a second press while the first is on its way does nothing.
        if (createButton.disabled) return;
        createButton.disabled = true;
        createButton.textContent = 'Creating…';
        const name = nameInput.value.trim();
        localStorage.setItem(NAME_KEY, name);
        try {
          const response = await fetch('/play/rooms', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ gameType: gameSelect.value, hostName: name }),
          });
          const body = (await response.json()) as { hostJoinUrl?: string; error?: { message: string } };
          if (!response.ok || !body.hostJoinUrl) throw new Error(body.error?.message);
          location.href = body.hostJoinUrl;
        } catch (failure) {
          error.textContent = (failure as Error).message || 'The room could not be created. Try again.';
          createButton.disabled = false;
          createButton.textContent = 'Create room';
        }
      },
    },
    h('h2', {}, 'Create a room'),
    h('label', { for: 'game-type' }, 'Game'),
    gameSelect,
    h('label', { for: 'host-name' }, 'Your name'),
    nameInput,
    createButton,
  );
  const code = h('input', {
    id: 'room-code',
    name: 'code',
    maxLength: 6,
    minLength: 6,
    required: true,
    autocapitalize: 'characters',
    autocomplete: 'off',
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
    h('label', { for: 'room-code' }, 'Room code'),
    code,
    h('button', { type: 'submit' }, 'Join'),
  );
  app.replaceChildren(h('h1', {}, 'GameBuddies Rooms'), error, create, join);

  try {
    const { games, openRoomCreation } = await fetchGames();
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
      id: 'player-name',
      name: 'name',
      maxLength: 32,
      required: true,
      autocomplete: 'nickname',
      value: localStorage.getItem(NAME_KEY) ?? '',
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
      h('label', { for: 'player-name' }, 'Your name'),
      input,
      h('button', { type: 'submit', className: 'primary' }, 'Join'),
    );
    app.replaceChildren(h('h1', {}, 'GameBuddies Rooms'), form);
    input.focus();
  });
}
