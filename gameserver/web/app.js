// The bundled page: create or join a room, then play. Plain JS on the Socket.IO client the server
// serves, so `npm start` needs no build step for it.

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const show = (id) => {
  for (const section of ['home', 'name-step', 'room']) $(section).hidden = section !== id;
};
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

async function home() {
  show('home');
  $('create-name').value = localStorage.getItem('gb:name') ?? '';
  const response = await fetch('/play/games');
  const { games, openRoomCreation } = await response.json();
  for (const game of games)
    $('create-game').append(el('option', { value: game.gameType, textContent: game.displayName }));
  if (!openRoomCreation) $('create-form').hidden = true;
  $('create-form').onsubmit = async (event) => {
    event.preventDefault();
    const name = $('create-name').value.trim();
    localStorage.setItem('gb:name', name);
    const res = await fetch('/play/rooms', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ gameType: $('create-game').value, hostName: name }),
    });
    const body = await res.json();
    if (!res.ok) return ($('create-error').textContent = body.error.message);
    location.href = body.hostJoinUrl;
  };
  $('join-form').onsubmit = (event) => {
    event.preventDefault();
    location.href = `/?room=${encodeURIComponent($('join-code').value.trim().toUpperCase())}&role=player`;
  };
}

function askName(code) {
  return new Promise((resolve) => {
    show('name-step');
    $('name-code').textContent = code;
    $('name-input').value = localStorage.getItem('gb:name') ?? '';
    $('name-form').onsubmit = (event) => {
      event.preventDefault();
      const name = $('name-input').value.trim();
      localStorage.setItem('gb:name', name);
      resolve(name);
    };
  });
}

async function play(code) {
  const sessionKey = `gb:session:${code}`;
  let token = sessionStorage.getItem(sessionKey) ?? params.get('token') ?? undefined;
  let name = localStorage.getItem('gb:name');
  if (!sessionStorage.getItem(sessionKey) && (!name || params.get('role') !== 'host'))
    name = await askName(code);
  let room = null;
  let me = null;
  // Where the room lives and which game it is: the lookup follows a room that moved.
  const lookup = await fetch(`/r/${encodeURIComponent(code)}`, { headers: { accept: 'application/json' } });
  if (!lookup.ok) {
    await home();
    $('create-error').textContent = `Room ${code} was not found.`;
    return;
  }
  const { namespace } = await lookup.json();
  await connect(namespace.slice(1));

  function connect(game) {
    return new Promise((resolve) => {
      const socket = io(`/${game}`, { auth: () => ({ roomCode: code, name, token }) });
      let joined = false;
      socket.on('connect_error', (err) => {
        if (!joined) {
          socket.close();
          show('room');
          $('room-error').textContent = `${err.message}: ${err.data?.message ?? ''}`;
          return resolve(socket);
        }
        $('status').textContent = `reconnecting… (${err.message})`;
        if (err.message === 'INVALID_TOKEN') sessionStorage.removeItem(sessionKey);
      });
      socket.on('room:joined', (payload) => {
        joined = true;
        token = payload.sessionToken;
        sessionStorage.setItem(sessionKey, token);
        me = payload.playerId;
        render(payload.room);
        show('room');
        $('status').textContent = 'connected';
        resolve(socket);
      });
      socket.on('room:state', (snapshot) => render(snapshot));
      socket.on('chat:message', ({ message, version }) => {
        if (!room) return;
        room.chat.push(message);
        room.version = version;
        renderChat();
      });
      socket.on('room:closed', ({ reason }) => {
        sessionStorage.removeItem(sessionKey);
        $('status').textContent = `room closed (${reason})`;
        socket.close();
      });
      socket.on('disconnect', () => ($('status').textContent = 'disconnected, reconnecting…'));
      const send = (event, payload) =>
        socket.emit(event, payload, (ack) => ($('room-error').textContent = ack.ok ? '' : ack.error.message));
      $('chat-form').onsubmit = (event) => {
        event.preventDefault();
        const text = $('chat-input').value.trim();
        if (text) send('room:chat', { text });
        $('chat-input').value = '';
      };
      window.gbSend = send;
    });
  }

  function render(snapshot) {
    if (room && snapshot.version < room.version) return;
    room = snapshot;
    $('room-code').textContent = room.roomCode;
    $('room-game').textContent = room.gameType;
    $('invite').value = `${location.origin}/?room=${room.roomCode}&role=player`;
    const iAmHost = room.hostId === me;
    $('players').replaceChildren(
      ...room.players.map((p) => {
        const item = el('li', {
          className: p.connected ? '' : 'offline',
          textContent: p.name + (p.id === me ? ' (you)' : ''),
        });
        if (p.role === 'host') item.append(el('span', { className: 'host', textContent: 'host' }));
        if (iAmHost && p.id !== me) {
          item.append(
            ' ',
            el('button', {
              textContent: 'kick',
              onclick: () => window.gbSend('room:kick', { playerId: p.id }),
            }),
          );
          item.append(
            ' ',
            el('button', {
              textContent: 'make host',
              onclick: () => window.gbSend('room:transfer-host', { playerId: p.id }),
            }),
          );
        }
        return item;
      }),
    );
    renderChat();
    renderGame(iAmHost);
  }

  function renderChat() {
    $('chat').replaceChildren(...room.chat.map((m) => el('li', { textContent: `${m.name}: ${m.text}` })));
    $('chat').scrollTop = $('chat').scrollHeight;
  }

  function renderGame(iAmHost) {
    const g = room.game;
    const nameOf = (id) => room.players.find((p) => p.id === id)?.name ?? 'someone';
    const box = $('game');
    box.replaceChildren(el('h2', { textContent: 'Rock Paper Scissors' }));
    if (g.stage === 'lobby' || g.stage === 'finished') {
      if (room.results) {
        box.append(el('p', { textContent: `Winner: ${room.results.winners.map(nameOf).join(', ')}` }));
      }
      box.append(
        iAmHost
          ? el('button', {
              textContent: g.stage === 'finished' ? 'Play again' : 'Start game',
              onclick: () => window.gbSend('game:action', { type: 'start' }),
            })
          : el('p', { textContent: 'Waiting for the host to start.' }),
      );
    }
    if (g.stage === 'choosing') {
      box.append(el('p', { textContent: `Round ${g.round} of ${g.rounds}: choose!` }));
      if (g.participants.includes(me)) {
        const choices = el('div', { className: 'choices' });
        for (const [choice, icon] of [
          ['rock', '✊'],
          ['paper', '✋'],
          ['scissors', '✌️'],
        ]) {
          choices.append(
            el('button', {
              textContent: icon,
              title: choice,
              disabled: !!g.myChoice,
              onclick: () => window.gbSend('game:action', { type: 'choose', choice }),
            }),
          );
        }
        box.append(choices);
      }
      box.append(el('p', { textContent: `Chosen: ${g.chosen.map(nameOf).join(', ') || 'nobody yet'}` }));
    }
    if (g.stage === 'reveal' && g.lastRound) {
      box.append(el('p', { textContent: `Round ${g.round} results` }));
      box.append(
        el(
          'ul',
          {},
          ...Object.entries(g.lastRound.choices).map(([id, c]) =>
            el('li', { textContent: `${nameOf(id)}: ${c ?? '—'} (+${g.lastRound.points[id]})` }),
          ),
        ),
      );
      if (iAmHost)
        box.append(
          el('button', {
            textContent: 'Next',
            onclick: () => window.gbSend('game:action', { type: 'next' }),
          }),
        );
    }
    if (g.participants.length) {
      box.append(
        el('h3', { textContent: 'Scores' }),
        el(
          'ul',
          {},
          ...g.participants.map((id) => el('li', { textContent: `${nameOf(id)}: ${g.scores[id] ?? 0}` })),
        ),
      );
    }
  }
}

const code = params.get('room');
if (code) void play(code.toUpperCase());
else void home();
