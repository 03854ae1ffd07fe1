import '../style.css';
import './console.css';
import type {
  ConsoleOverview,
  ConsoleRoomDetail,
  ConsoleRoomRow,
  ConsoleServer,
} from '@gamebuddies/protocol';
import { h, replaceKeepingInput, srOnly, type Child } from '../dom.js';
import { ConsoleApi, ConsoleError } from './api.js';
import { playersChart, type Sample } from './chart.js';

const root = document.getElementById('console')!;
const CHART_WINDOW_MS = 10 * 60_000;
const SAMPLE_EVERY_MS = 5000;

interface Pending {
  text: string;
  button: string;
  run: () => Promise<void>;
}

let api: ConsoleApi | undefined;
let overview: ConsoleOverview | undefined;
let detail: ConsoleRoomDetail | undefined;
let detailGone = false;
let selected: string | undefined;
let pending: Pending | undefined;
let message: { text: string; bad: boolean } | undefined;
let live = false;
let readOnly = true;
let sampler: ReturnType<typeof setInterval> | undefined;
let stream: AbortController | undefined;
let search = '';
let sort: keyof ConsoleRoomRow = 'updatedAt';
let descending = true;
const samples: Sample[] = [];

const sections = {
  status: h('span', { className: 'status connecting', 'data-testid': 'console-status' }, 'connecting'),
  message: h('p', { role: 'status', 'data-testid': 'message' }),
  confirm: h('div', { className: 'confirm-bar', 'data-testid': 'confirm' }),
  servers: h('section', {
    className: 'card-box',
    'aria-labelledby': 'servers-title',
    'data-testid': 'servers',
  }),
  rooms: h('div', { 'data-testid': 'rooms' }),
  room: h('section', {
    className: 'card-box',
    'aria-labelledby': 'room-title',
    'data-testid': 'room-detail',
  }),
};

function when(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function age(since: number): string {
  const s = Math.max(0, Math.round((Date.now() - since) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;
}

function can(action: ConsoleOverview['actions'][number]): boolean {
  return !readOnly && (overview?.actions.includes(action) ?? false);
}

/** Every action waits for a second click on the bar: nothing is done on one stray tap. */
function ask(text: string, button: string, run: () => Promise<void>): void {
  pending = { text, button, run };
  renderConfirm();
  sections.confirm.querySelector<HTMLButtonElement>('button.bad')?.focus();
}

function renderConfirm(): void {
  if (!pending) {
    sections.confirm.replaceChildren();
    sections.confirm.hidden = true;
    return;
  }
  const current = pending;
  sections.confirm.hidden = false;
  sections.confirm.replaceChildren(
    h(
      'div',
      { role: 'alertdialog', 'aria-labelledby': 'confirm-text', className: 'row' },
      h('strong', { id: 'confirm-text' }, current.text),
      h(
        'button',
        {
          className: 'bad',
          onclick: async () => {
            pending = undefined;
            renderConfirm();
            try {
              await current.run();
              say(`Done: ${current.button}`, false);
            } catch (error) {
              say(error instanceof Error ? error.message : String(error), true);
            }
          },
        },
        current.button,
      ),
      h(
        'button',
        {
          onclick: () => {
            pending = undefined;
            renderConfirm();
          },
        },
        'Cancel',
      ),
    ),
  );
}

function say(text: string, bad: boolean): void {
  message = { text, bad };
  sections.message.className = bad ? 'error' : 'saved';
  sections.message.textContent = text;
}

function healthBadge(server: ConsoleServer): HTMLElement {
  const cls = server.health === 'healthy' ? 'connected' : server.health === 'down' ? 'offline' : 'connecting';
  return h('span', { className: `status ${cls}` }, server.health);
}

function renderServers(): void {
  const servers = overview?.servers ?? [];
  const players = servers.reduce((n, s) => n + s.players, 0);
  const rooms = overview?.rooms.length ?? 0;
  replaceKeepingInput(sections.servers, [
    h('h2', { id: 'servers-title' }, `Servers (${servers.length}) · ${rooms} rooms · ${players} players`),
    playersChart(samples, CHART_WINDOW_MS),
    h(
      'div',
      { className: 'scroll' },
      h(
        'table',
        { className: 'grid' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Server', 'Health', 'Rooms', 'Players', 'Load', 'Address', ''].map((t) =>
              h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...servers.map((s) =>
            h(
              'tr',
              { 'data-server': s.id },
              h('th', { scope: 'row' }, s.id),
              h('td', {}, healthBadge(s)),
              h('td', {}, s.rooms),
              h('td', {}, s.players),
              h('td', {}, s.load === null ? '—' : `${s.load}%`),
              h('td', { className: 'muted small' }, s.url ?? '—'),
              h(
                'td',
                {},
                can('drain') && !s.draining && s.health !== 'down'
                  ? h(
                      'button',
                      {
                        className: 'link',
                        'aria-label': `Drain ${s.id}`,
                        onclick: () =>
                          ask(`Drain ${s.id}? It takes no new rooms.`, `Drain ${s.id}`, () =>
                            api!.act(`/servers/${encodeURIComponent(s.id)}/drain`),
                          ),
                      },
                      'Drain',
                    )
                  : null,
              ),
            ),
          ),
        ),
      ),
    ),
  ]);
}

function visibleRooms(): ConsoleRoomRow[] {
  const q = search.trim().toLowerCase();
  const rows = (overview?.rooms ?? []).filter(
    (r) => !q || [r.code, r.gameType, r.serverId, r.phase].some((f) => f.toLowerCase().includes(q)),
  );
  return rows.sort((a, b) => {
    const x = a[sort];
    const y = b[sort];
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return descending ? -order : order;
  });
}

function sortButton(label: string, key: keyof ConsoleRoomRow): HTMLElement {
  const active = sort === key;
  return h(
    'th',
    { scope: 'col', 'aria-sort': active ? (descending ? 'descending' : 'ascending') : 'none' },
    h(
      'button',
      {
        className: 'link',
        onclick: () => {
          if (sort === key) descending = !descending;
          else {
            sort = key;
            descending = key === 'updatedAt' || key === 'createdAt' || key === 'players';
          }
          renderRooms();
        },
      },
      label,
      active ? (descending ? ' ↓' : ' ↑') : '',
    ),
  );
}

function renderRooms(): void {
  const rows = visibleRooms();
  replaceKeepingInput(sections.rooms, [
    h(
      'div',
      { className: 'scroll' },
      h(
        'table',
        { className: 'grid' },
        h(
          'caption',
          { className: 'sr-only' },
          `Rooms, sorted by ${sort} ${descending ? 'descending' : 'ascending'}`,
        ),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            sortButton('Code', 'code'),
            sortButton('Game', 'gameType'),
            sortButton('Phase', 'phase'),
            sortButton('Players', 'players'),
            sortButton('Server', 'serverId'),
            sortButton('Version', 'version'),
            sortButton('Age', 'createdAt'),
            sortButton('Last change', 'updatedAt'),
          ),
        ),
        h(
          'tbody',
          {},
          ...rows.map((r) =>
            h(
              'tr',
              { 'data-room': r.code, className: r.code === selected ? 'picked' : '' },
              h(
                'th',
                { scope: 'row' },
                h(
                  'button',
                  {
                    className: 'link code',
                    onclick: () => select(r.code),
                    'aria-label': `Open room ${r.code}`,
                  },
                  r.code,
                ),
              ),
              h('td', {}, r.gameType),
              h('td', {}, r.phase),
              h('td', {}, `${r.connected}/${r.players}`),
              h('td', {}, r.serverId),
              h('td', {}, r.version),
              h('td', {}, age(r.createdAt)),
              h('td', {}, `${age(r.updatedAt)} ago`),
            ),
          ),
        ),
      ),
    ),
    rows.length === 0 ? h('p', { className: 'muted' }, search ? 'No room matches.' : 'No rooms yet.') : null,
    overview?.truncated ? h('p', { className: 'muted' }, 'Showing the first 500 rooms.') : null,
  ]);
}

function list<T>(items: T[], empty: string, label: string, line: (item: T) => Child): HTMLElement {
  if (items.length === 0) return h('p', { className: 'muted' }, empty);
  // Scrolls when long: focusable so a keyboard can scroll it too.
  return h(
    'ul',
    { className: 'plain', tabIndex: 0, 'aria-label': label },
    ...items.map((item) => h('li', {}, line(item))),
  );
}

function renderRoom(): void {
  if (!selected) {
    sections.room.hidden = true;
    sections.room.replaceChildren();
    return;
  }
  sections.room.hidden = false;
  const code = selected;
  const close = h(
    'button',
    {
      className: 'link',
      onclick: () => select(undefined),
    },
    'Back to all rooms',
  );
  if (detailGone || !detail) {
    sections.room.replaceChildren(
      h('h2', { id: 'room-title' }, 'Room ', h('span', { className: 'code' }, code)),
      h('p', { className: 'muted' }, detailGone ? 'This room is gone.' : 'Loading…'),
      close,
    );
    return;
  }
  const room = detail;
  const others = (overview?.servers ?? []).filter((s) => s.id !== room.serverId && s.health !== 'down');
  const moveSelect = h(
    'select',
    { name: 'move-to', 'aria-label': 'Move to server' },
    ...others.map((s) => h('option', { value: s.id }, s.id)),
  );
  replaceKeepingInput(sections.room, [
    h(
      'div',
      { className: 'room-header' },
      h('h2', { id: 'room-title' }, 'Room ', h('span', { className: 'code' }, room.code)),
      close,
    ),
    h(
      'p',
      { 'data-testid': 'room-facts' },
      `${room.gameType} · ${room.phase} · version ${room.version} · on ${room.serverId} · ${room.connected}/${room.players} connected · created ${age(room.createdAt)} ago`,
    ),
    h(
      'div',
      { className: 'row' },
      can('close')
        ? h(
            'button',
            {
              className: 'bad',
              onclick: () =>
                ask(`Close room ${room.code}? Its players are sent away.`, `Close ${room.code}`, async () => {
                  await api!.act(`/rooms/${room.code}/close`);
                }),
            },
            'Close room',
          )
        : null,
      can('move') && others.length > 0
        ? h(
            'span',
            { className: 'row' },
            moveSelect,
            h(
              'button',
              {
                onclick: () => {
                  const target = (sections.room.querySelector('select[name="move-to"]') as HTMLSelectElement)
                    .value;
                  ask(`Move room ${room.code} to ${target}?`, `Move to ${target}`, () =>
                    api!.act(`/rooms/${room.code}/move`, { serverId: target }),
                  );
                },
              },
              'Move',
            ),
          )
        : null,
    ),
    h('h3', {}, 'Players'),
    room.seats.length === 0
      ? h('p', { className: 'muted' }, 'Nobody has joined.')
      : h(
          'ul',
          { className: 'players', 'data-testid': 'room-players' },
          ...room.seats.map((p) =>
            h(
              'li',
              { className: p.connected ? '' : 'offline', 'data-player': p.name },
              h('span', { className: 'dot', 'aria-hidden': 'true' }),
              h(
                'span',
                { className: 'who' },
                p.name,
                p.role === 'host' ? h('span', { className: 'badge' }, 'host') : null,
                h(
                  'span',
                  { className: 'muted small' },
                  ` · ${p.connected ? `connected on ${p.serverId ?? '?'}` : `offline ${p.disconnectedAt ? age(p.disconnectedAt) : ''}`}`,
                ),
              ),
              h(
                'span',
                { className: 'row' },
                can('host') && p.role !== 'host'
                  ? h(
                      'button',
                      {
                        className: 'link',
                        onclick: () =>
                          ask(`Make ${p.name} the host of ${room.code}?`, `Make ${p.name} host`, () =>
                            api!.act(`/rooms/${room.code}/host`, { playerId: p.id }),
                          ),
                      },
                      'Make ',
                      srOnly(`${p.name} `),
                      'host',
                    )
                  : null,
                can('kick')
                  ? h(
                      'button',
                      {
                        className: 'link danger',
                        onclick: () =>
                          ask(`Kick ${p.name} from ${room.code}?`, `Kick ${p.name}`, () =>
                            api!.act(`/rooms/${room.code}/kick`, { playerId: p.id }),
                          ),
                      },
                      'Kick',
                      srOnly(` ${p.name}`),
                    )
                  : null,
              ),
            ),
          ),
        ),
    h('h3', {}, 'Last events'),
    h(
      'div',
      { 'data-testid': 'room-log' },
      list(room.log, 'Nothing yet.', 'Last events, newest first', (e) =>
        h('span', {}, h('span', { className: 'muted small' }, `v${e.version} · ${when(e.at)} `), e.text),
      ),
    ),
    h('h3', {}, 'Chat'),
    h(
      'div',
      { 'data-testid': 'room-chat' },
      list(room.chat, 'No chat yet.', 'Last chat lines', (m) =>
        h(
          'span',
          {},
          h('span', { className: 'muted small' }, `${when(m.at)} `),
          h('strong', {}, m.name),
          `: ${m.text}`,
        ),
      ),
    ),
    h('h3', {}, 'Timers due'),
    list(room.timers, 'None.', 'Timers due', (t) => `${t.key} at ${when(t.fireAt)}`),
    h('h3', {}, 'Servers it has been on'),
    h(
      'div',
      { 'data-testid': 'room-moves' },
      list(
        room.moves,
        'Unknown (an older room).',
        'Servers it has been on',
        (m) => `${when(m.at)} ${m.reason}: ${m.serverId} (${m.url})`,
      ),
    ),
    room.cluster ? clusterSection(room.cluster) : null,
    h('h3', {}, 'What each role sees'),
    room.views.length === 0
      ? h('p', { className: 'muted' }, 'Nobody has joined.')
      : h(
          'div',
          {},
          ...room.views.map((v) =>
            h(
              'details',
              { 'data-key': `view-${v.role}` },
              h('summary', {}, `${v.role} (as ${v.playerName})`),
              h('pre', {}, JSON.stringify(v.game, null, 2)),
            ),
          ),
        ),
    h(
      'details',
      { 'data-key': 'settings' },
      h('summary', {}, 'Settings'),
      h('pre', {}, JSON.stringify(room.settings, null, 2)),
    ),
  ]);
}

/** On a cluster: the GameRoom's phase and conditions and the GameServer holding the room. */
function clusterSection(cluster: NonNullable<ConsoleRoomDetail['cluster']>): HTMLElement {
  const { gameRoom, gameServer } = cluster;
  return h(
    'div',
    { 'data-testid': 'room-cluster' },
    h('h3', {}, 'On the cluster'),
    gameRoom
      ? h(
          'p',
          {},
          `GameRoom ${gameRoom.name}: ${gameRoom.phase ?? 'no status yet'}`,
          gameRoom.failovers > 0 ? ` · ${gameRoom.failovers} failovers` : '',
        )
      : h('p', { className: 'muted' }, 'No GameRoom (created outside the operator).'),
    gameRoom
      ? list(gameRoom.conditions, 'No conditions yet.', 'GameRoom conditions', (c) =>
          h(
            'span',
            {},
            h('strong', {}, `${c.type}=${c.status}`),
            ` ${c.reason}: ${c.message} `,
            h('span', { className: 'muted small' }, when(Date.parse(c.at))),
          ),
        )
      : null,
    gameServer
      ? h(
          'p',
          {},
          `GameServer ${gameServer.name}: ${gameServer.state ?? 'gone'}`,
          gameServer.address ? ` · ${gameServer.address}` : '',
          gameServer.node ? ` · node ${gameServer.node}` : '',
        )
      : null,
  );
}

function renderStatus(): void {
  sections.status.className = `status ${live ? 'connected' : 'connecting'}`;
  sections.status.textContent = live ? 'live' : 'connecting';
}

function select(code: string | undefined): void {
  selected = code;
  detail = undefined;
  detailGone = false;
  renderRooms();
  renderRoom();
  openStream();
  if (code) sections.room.scrollIntoView?.({ block: 'start' });
}

function openStream(): void {
  stream?.abort();
  stream = new AbortController();
  void api!.stream(
    selected,
    {
      overview: (o) => {
        overview = o;
        sample();
        renderServers();
        renderRooms();
        if (selected) renderRoom();
      },
      room: (r) => {
        if (r.code !== selected) return;
        if ('gone' in r) {
          detail = undefined;
          detailGone = true;
        } else detail = r;
        renderRoom();
      },
      live: (up) => {
        live = up;
        renderStatus();
      },
    },
    stream.signal,
  );
}

function sample(): void {
  if (!overview) return;
  const now = Date.now();
  samples.push({
    at: now,
    players: overview.servers.reduce((n, s) => n + s.players, 0),
    rooms: overview.rooms.length,
  });
  while (samples.length > 0 && samples[0]!.at < now - CHART_WINDOW_MS) samples.shift();
}

function renderConsole(): void {
  root.replaceChildren(
    h(
      'header',
      { className: 'room-header' },
      h('h1', {}, 'GameBuddies Rooms · console'),
      h(
        'span',
        { className: 'row' },
        sections.status,
        h(
          'button',
          {
            className: 'link',
            onclick: () => {
              stream?.abort();
              clearInterval(sampler);
              api = undefined;
              overview = undefined;
              detail = undefined;
              selected = undefined;
              message = undefined;
              samples.length = 0;
              renderLogin();
            },
          },
          'Forget the key',
        ),
      ),
    ),
    sections.message,
    sections.confirm,
    sections.servers,
    sections.room,
    h(
      'section',
      { className: 'card-box', 'aria-labelledby': 'rooms-title' },
      h('h2', { id: 'rooms-title' }, 'Rooms'),
      h(
        'label',
        {},
        'Search rooms',
        h('input', {
          type: 'search',
          name: 'search',
          placeholder: 'code, game, server or phase',
          autocomplete: 'off',
          value: search,
          oninput: (event: Event) => {
            search = (event.target as HTMLInputElement).value;
            renderRooms();
          },
        }),
      ),
      sections.rooms,
    ),
  );
  renderConfirm();
  renderServers();
  renderRooms();
  renderRoom();
  renderStatus();
  if (message) say(message.text, message.bad);
  // The chart keeps moving when nothing changes (the stream then sends nothing).
  clearInterval(sampler);
  sampler = setInterval(() => {
    if (!overview) return;
    sample();
    renderServers();
  }, SAMPLE_EVERY_MS);
}

function renderLogin(error?: string): void {
  const input = h('input', {
    type: 'password',
    name: 'key',
    autocomplete: 'off',
    required: true,
    id: 'key',
  });
  const problem = h('p', { className: 'error', role: 'alert', 'data-testid': 'key-error' }, error ?? '');
  root.replaceChildren(
    h('h1', {}, 'GameBuddies Rooms · console'),
    h(
      'form',
      {
        className: 'card-box',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const candidate = new ConsoleApi(input.value.trim());
          try {
            overview = await candidate.get<ConsoleOverview>('/overview');
          } catch (refused) {
            problem.textContent =
              refused instanceof ConsoleError && refused.code === 'UNAUTHORIZED'
                ? 'This key is not valid here.'
                : refused instanceof Error
                  ? refused.message
                  : String(refused);
            return;
          }
          api = candidate;
          readOnly = overview.readOnly !== false;
          sample();
          renderConsole();
          if (readOnly) say('Read-only key: you can look, not act.', false);
          openStream();
        },
      },
      h('label', { for: 'key' }, 'Rooms API key'),
      input,
      h(
        'p',
        { className: 'muted small' },
        'A full key can act; a read-only key (`<key>:read`) only looks. The key stays in this tab until it is closed or reloaded.',
      ),
      problem,
      h('button', { type: 'submit', className: 'primary' }, 'Open the console'),
    ),
  );
  input.focus();
}

renderLogin();
