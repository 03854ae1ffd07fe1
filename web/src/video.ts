import { h } from './dom.js';
import type { RoomClient } from '@gamebuddies/client';

interface Peer {
  pc: RTCPeerConnection;
  /** Perfect negotiation: on colliding offers the polite side yields. */
  polite: boolean;
  makingOffer: boolean;
  ignoreOffer: boolean;
  tile: HTMLElement;
  pendingCandidates: RTCIceCandidateInit[];
  flush: ReturnType<typeof setTimeout> | null;
}

/**
 * Peer-to-peer video between the players of a room (a full mesh, fine for a quiz table): media flows
 * directly between browsers, the game server only relays the signalling (`rtc:signal`).
 */
export class VideoCall {
  readonly element = h('div', { className: 'videos', 'data-testid': 'videos' });
  private readonly peers = new Map<string, Peer>();
  private local: MediaStream | null = null;
  private readonly offSignal: () => void;
  private names: (id: string) => string = (id) => id;

  constructor(private readonly client: RoomClient) {
    this.offSignal = client.on('signal', ({ from, data }) => void this.onSignal(from, data));
  }

  get cameraOn(): boolean {
    return this.local !== null;
  }

  async enableCamera(): Promise<void> {
    if (this.local) return;
    this.local = await navigator.mediaDevices.getUserMedia({
      video: { width: 320, height: 240 },
      audio: true,
    });
    const video = h('video', { autoplay: true, muted: true, playsInline: true, srcObject: this.local });
    this.element.prepend(h('figure', { className: 'tile me' }, video, h('figcaption', {}, 'You')));
    for (const [id, peer] of this.peers) this.addTracks(peer, id);
  }

  /** Keeps one connection per other connected player; `ids` excludes this player. */
  sync(ids: readonly string[], names: (id: string) => string): void {
    this.names = names;
    for (const id of ids) if (!this.peers.has(id)) this.addTracks(this.peer(id), id);
    for (const id of [...this.peers.keys()]) if (!ids.includes(id)) this.drop(id);
    for (const [id, peer] of this.peers) peer.tile.querySelector('figcaption')!.textContent = names(id);
  }

  dispose(): void {
    this.offSignal();
    for (const id of [...this.peers.keys()]) this.drop(id);
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.local = null;
    this.element.replaceChildren();
  }

  private peer(id: string): Peer {
    const existing = this.peers.get(id);
    if (existing) return existing;
    const pc = new RTCPeerConnection({ iceServers: [] });
    const video = h('video', { autoplay: true, playsInline: true });
    // Shown once media arrives: a player without a camera is no black box.
    const tile = h(
      'figure',
      { className: 'tile', 'data-peer': id, hidden: true },
      video,
      h('figcaption', {}, this.names(id)),
    );
    const peer: Peer = {
      pc,
      polite: (this.client.playerId ?? '') > id,
      makingOffer: false,
      ignoreOffer: false,
      tile,
      pendingCandidates: [],
      flush: null,
    };
    this.peers.set(id, peer);
    this.element.append(tile);
    pc.ontrack = ({ streams }) => {
      if (streams[0]) video.srcObject = streams[0];
      tile.hidden = false;
    };
    pc.onconnectionstatechange = () => tile.setAttribute('data-state', pc.connectionState);
    pc.onnegotiationneeded = async () => {
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        await this.client.signal(id, { description: pc.localDescription!.toJSON() });
      } finally {
        peer.makingOffer = false;
      }
    };
    // Candidates come in bursts; sending them in batches keeps within the action rate limit.
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate) return;
      peer.pendingCandidates.push(candidate.toJSON());
      peer.flush ??= setTimeout(() => {
        peer.flush = null;
        const candidates = peer.pendingCandidates.splice(0);
        void this.client.signal(id, { candidates });
      }, 150);
    };
    return peer;
  }

  private addTracks(peer: Peer, _id: string): void {
    if (!this.local) return;
    const sending = new Set(peer.pc.getSenders().map((s) => s.track));
    for (const track of this.local.getTracks()) if (!sending.has(track)) peer.pc.addTrack(track, this.local);
  }

  private drop(id: string): void {
    const peer = this.peers.get(id);
    if (!peer) return;
    if (peer.flush) clearTimeout(peer.flush);
    peer.pc.close();
    peer.tile.remove();
    this.peers.delete(id);
  }

  private async onSignal(from: string, data: Record<string, unknown>): Promise<void> {
    const peer = this.peer(from);
    const { pc } = peer;
    const description = data.description as RTCSessionDescriptionInit | undefined;
    if (description) {
      const collision = description.type === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
      peer.ignoreOffer = !peer.polite && collision;
      if (peer.ignoreOffer) return;
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        this.addTracks(peer, from);
        await pc.setLocalDescription();
        await this.client.signal(from, { description: pc.localDescription!.toJSON() });
      }
    }
    for (const candidate of (data.candidates as RTCIceCandidateInit[] | undefined) ?? []) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (error) {
        if (!peer.ignoreOffer) console.warn('ICE candidate refused', error);
      }
    }
  }
}
