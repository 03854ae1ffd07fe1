import type { ConsoleOverview, ConsoleRoomDetail } from '@gamebuddies/protocol';

/** A refusal from the console's API, with its typed code (UNAUTHORIZED, FORBIDDEN, ...). */
export class ConsoleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The console's API with the operator's key. The key is sent in a header on every request (never
 * in a URL) and kept only in this page's memory: a reload asks for it again.
 */
export class ConsoleApi {
  constructor(private readonly key: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.key}`, ...extra };
  }

  async get<T>(path: string): Promise<T> {
    return this.answer<T>(
      await fetch(`/console/api${path}`, { headers: this.headers(), signal: AbortSignal.timeout(10_000) }),
    );
  }

  async act(path: string, body: Record<string, unknown> = {}): Promise<void> {
    await this.answer(
      await fetch(`/console/api${path}`, {
        method: 'POST',
        headers: this.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify({ ...body, confirm: true }),
        signal: AbortSignal.timeout(15_000),
      }),
    );
  }

  private async answer<T>(response: Response): Promise<T> {
    const body = (await response.json().catch(() => null)) as
      (T & { error?: { code: string; message: string } }) | null;
    if (!response.ok) {
      throw new ConsoleError(
        body?.error?.code ?? 'INTERNAL',
        body?.error?.message ?? `The server answered ${response.status}`,
      );
    }
    return body as T;
  }

  /**
   * Server-sent events through fetch (EventSource cannot send the key in a header). Calls back with
   * each overview and room picture; reconnects after a drop until `signal` aborts.
   */
  async stream(
    room: string | undefined,
    on: {
      overview(o: ConsoleOverview): void;
      room(r: ConsoleRoomDetail | { code: string; gone: true }): void;
      live(up: boolean): void;
    },
    signal: AbortSignal,
  ): Promise<void> {
    while (!signal.aborted) {
      try {
        const query = room ? `?room=${encodeURIComponent(room)}` : '';
        const response = await fetch(`/console/api/stream${query}`, { headers: this.headers(), signal });
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        on.live(true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (!event || !data) continue;
            if (event === 'overview') on.overview(JSON.parse(data) as ConsoleOverview);
            if (event === 'room') on.room(JSON.parse(data) as ConsoleRoomDetail);
          }
        }
      } catch {
        // dropped or refused: shown as not live, tried again shortly
      }
      if (signal.aborted) return;
      on.live(false);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}
