/** A few lines of DOM building instead of a framework: the page is small and its bundle stays so. */
type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | EventListener | undefined | null>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]) {
  for (const child of children) {
    if (child == null || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]) {
  parent.replaceChildren();
  append(parent, children);
}

/** Runs `fn` at most once per animation frame, however often it is asked for. */
export function coalesce(fn: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}

/** ENUM_NAME → "Enum name". */
export const label = (value: string | null | undefined) => (value ? value.charAt(0) + value.slice(1).toLowerCase().replaceAll('_', ' ') : '—');

export const dateTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

export function duration(seconds: number | null | undefined): string {
  if (seconds == null) return '—';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

export const percent = (share: number | null | undefined) => (share == null ? '—' : `${Math.round(share * 1000) / 10}%`);

export function badge(status: string) {
  return h('span', { class: `badge badge-${status.toLowerCase()}` }, label(status));
}
