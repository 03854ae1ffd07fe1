/** A few DOM helpers: enough to build screens without a framework. */

export type Child = Node | string | number | null | undefined | false;
type Props = Record<string, unknown>;

/** Creates an element; `data-*`, `aria-*` and `for` become attributes, anything else a property. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key.startsWith('data-') || key.startsWith('aria-') || key === 'for')
      node.setAttribute(key, String(value));
    else (node as unknown as Record<string, unknown>)[key] = value;
  }
  append(node, children);
  return node;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/**
 * A form with one text field and a button; `onSubmit` gets the trimmed text. The text is cleared only
 * when `onSubmit` says it was taken: a refused hint stays in the field to be corrected.
 */
export function inputForm(
  opts: { name: string; placeholder: string; button: string; maxLength: number; label: string },
  onSubmit: (text: string) => Promise<boolean> | boolean | void,
): HTMLFormElement {
  const input = h('input', {
    name: opts.name,
    placeholder: opts.placeholder,
    maxLength: opts.maxLength,
    autocomplete: 'off',
    required: true,
    'aria-label': opts.label,
  });
  return h(
    'form',
    {
      className: 'inline',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        if ((await onSubmit(text)) === false) return;
        // The state the answer brought may have redrawn the form, carrying the text over: clear that one.
        const current = input.isConnected
          ? input
          : document.querySelector<HTMLInputElement>(`input[name="${CSS.escape(opts.name)}"]`);
        if (current?.value.trim() === text) current.value = '';
      },
    },
    input,
    h('button', { type: 'submit' }, opts.button),
  );
}

/** Text for screen readers only (state that is otherwise shown by colour or position). */
export function srOnly(text: string): HTMLElement {
  return h('span', { className: 'sr-only' }, text);
}

/**
 * Replaces a container's content but keeps what the user was doing: values and focus of named
 * fields and open `details[data-key]` survive, so an update from another player never eats a
 * half-written answer or closes the settings being edited.
 */
export function replaceKeepingInput(container: HTMLElement, children: Child[]): void {
  const values = new Map<string, string | boolean>();
  const open = new Set<string>();
  let focused: string | null = null;
  for (const field of container.querySelectorAll<HTMLInputElement>(
    'input[name], textarea[name], select[name]',
  )) {
    values.set(field.name, field.type === 'checkbox' ? field.checked : field.value);
    if (document.activeElement === field) focused = field.name;
  }
  for (const details of container.querySelectorAll<HTMLDetailsElement>('details[data-key]')) {
    if (details.open) open.add(details.dataset.key!);
  }
  container.replaceChildren();
  append(container, children);
  for (const [name, value] of values) {
    const field = container.querySelector<HTMLInputElement>(`[name="${CSS.escape(name)}"]`);
    if (!field) continue;
    if (typeof value === 'boolean') field.checked = value;
    else field.value = value;
    if (focused === name) field.focus();
  }
  for (const key of open) {
    const details = container.querySelector<HTMLDetailsElement>(`details[data-key="${CSS.escape(key)}"]`);
    if (details) details.open = true;
  }
}

/** Seconds left until a server deadline, kept current by `tickCountdowns`. */
export function countdown(deadline: number | null): Child {
  if (!deadline) return null;
  return h('span', { className: 'countdown', 'data-deadline': deadline }, secondsLeft(deadline));
}

function secondsLeft(deadline: number): string {
  return `${Math.max(0, Math.ceil((deadline - Date.now()) / 1000))}s`;
}

export function tickCountdowns(): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-deadline]')) {
    el.textContent = secondsLeft(Number(el.dataset.deadline));
  }
}
