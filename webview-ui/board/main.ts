// The board panel (runs inside the webview). It shows what the extension posts: the board drawing
// with LEDs lit from the adapter's board state (brightness = the fraction of simulated time lit,
// so PWM dims them), buttons pressed with the mouse or the keyboard, a UART terminal, run controls
// and the simulated clock. It talks only to the extension (postMessage); the extension talks to
// the debug adapter. Names from the board description are set as text, never parsed as markup.

import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import './style.css';
import type { FromPanel, PanelBoard, PanelState, ToPanel } from './protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;


const vscode = acquireVsCodeApi();
const post = (m: FromPanel) => vscode.postMessage(m);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

// ---- layout ----------------------------------------------------------------------------------------

const root = document.getElementById('root') as HTMLElement;
root.textContent = '';
const toolbar = el('div', 'toolbar');
const runButton = el('button', undefined, '▶ Run');
const pauseButton = el('button', undefined, '‖ Pause');
const resetButton = el('button', undefined, '⟲ Reset');
runButton.title = 'Continue (F5)';
pauseButton.title = 'Pause (F6)';
resetButton.title = 'Restart the firmware from reset';
const stateLabel = el('span', 'state', 'no session');
const modeSelect = el('select');
modeSelect.title = 'Real time keeps simulated time with the wall clock; fast runs flat out';
for (const [value, label] of [['realtime', 'Real time'], ['fast', 'Fast']]) {
  const o = el('option', undefined, label);
  o.value = value;
  modeSelect.appendChild(o);
}
const speedSelect = el('select');
speedSelect.title = 'Speed in real-time mode (× real time)';
for (const s of [0.01, 0.1, 0.5, 1, 2, 10]) {
  const o = el('option', undefined, `${s}×`);
  o.value = String(s);
  speedSelect.appendChild(o);
}
speedSelect.value = '1';
const clock = el('span', 'clock', 't = –');
const vcdButton = el('button', undefined, 'Export VCD…');
vcdButton.title = 'Save the pin timeline as a value change dump';
toolbar.append(runButton, pauseButton, resetButton, stateLabel, modeSelect, speedSelect, el('span', 'spacer'), clock, vcdButton);

const layout = el('div', 'layout');
const boardView = el('div', 'board-view');
const side = el('div', 'side');
const notice = el('div', 'notice');
const extrasTitle = el('h2', undefined, 'Parts from board.json');
const extras = el('div', 'extras');
const pins = el('div', 'pins');
const terminalTitle = el('h2', undefined, 'UART terminal');
const terminalBox = el('div', 'terminal-box');
side.append(notice, pins, extrasTitle, extras, terminalTitle, terminalBox);
layout.append(boardView, side);
root.append(toolbar, layout);

runButton.addEventListener('click', () => post({ type: 'control', action: 'continue' }));
pauseButton.addEventListener('click', () => post({ type: 'control', action: 'pause' }));
resetButton.addEventListener('click', () => post({ type: 'control', action: 'restart' }));
modeSelect.addEventListener('change', () => post({ type: 'runMode', mode: modeSelect.value as 'realtime' | 'fast' }));
speedSelect.addEventListener('change', () => post({ type: 'runMode', speed: Number(speedSelect.value) }));
vcdButton.addEventListener('click', () => post({ type: 'exportVcd' }));

// ---- terminal --------------------------------------------------------------------------------------

const css = getComputedStyle(document.body);
const terminal = new Terminal({
  convertEol: false,
  cursorBlink: true,
  fontFamily: css.getPropertyValue('--vscode-editor-font-family').trim() || 'monospace',
  fontSize: 13,
  rows: 16,
  cols: 80,
  theme: {
    background: css.getPropertyValue('--vscode-terminal-background').trim() || '#1e1e1e',
    foreground: css.getPropertyValue('--vscode-terminal-foreground').trim() || '#cccccc',
  },
});
terminal.open(terminalBox);
let terminalId: string | undefined;
terminal.onData((text) => {
  if (terminalId) post({ type: 'uart', id: terminalId, text });
});

// ---- board ---------------------------------------------------------------------------------------

/** Things to update per LED id. */
const ledViews = new Map<string, { glow?: SVGElement; body?: SVGElement; lamp?: HTMLElement; color: string }>();
/** Things to update per input id. */
const inputViews = new Map<string, Element[]>();
const keyToButton = new Map<string, string>();
const held = new Set<string>();
let lastState: PanelState | undefined;

function press(id: string, pressed: boolean): void {
  if (pressed === held.has(id)) return;
  if (pressed) held.add(id);
  else held.delete(id);
  for (const v of inputViews.get(id) ?? []) v.classList.toggle('pressed', pressed);
  post({ type: 'press', id, pressed });
}

/** Mouse/touch press-and-hold and keyboard (Space/Enter) on one element. */
function makePressable(element: Element, id: string): void {
  element.addEventListener('pointerdown', (e) => {
    (e as PointerEvent).preventDefault();
    (element as HTMLElement).focus?.();
    press(id, true);
  });
  for (const ev of ['pointerup', 'pointerleave', 'pointercancel']) element.addEventListener(ev, () => press(id, false));
  element.addEventListener('keydown', (e) => {
    const k = (e as KeyboardEvent).key;
    if (k === ' ' || k === 'Enter') {
      e.preventDefault();
      press(id, true);
    }
  });
  element.addEventListener('keyup', (e) => {
    const k = (e as KeyboardEvent).key;
    if (k === ' ' || k === 'Enter') press(id, false);
  });
  (inputViews.get(id) ?? inputViews.set(id, []).get(id)!).push(element);
}

// Board-wide shortcut keys (e.g. "b" for B1), unless the terminal has the focus.
window.addEventListener('keydown', (e) => {
  if (terminalBox.contains(document.activeElement) || e.repeat) return;
  const id = keyToButton.get(e.key.toLowerCase());
  if (id) press(id, true);
});
window.addEventListener('keyup', (e) => {
  const id = keyToButton.get(e.key.toLowerCase());
  if (id) press(id, false);
});

function showBoard(board: PanelBoard | null, svgText: string | undefined, chipName: string | undefined): void {
  boardView.textContent = '';
  extras.textContent = '';
  ledViews.clear();
  inputViews.clear();
  keyToButton.clear();
  held.clear();
  if (!board) {
    pins.textContent = `${chipName ?? 'This chip'} has no board: launch with "board": "nucleo-f411re" or add a board.json.`;
    extrasTitle.hidden = true;
    return;
  }
  let svg: SVGSVGElement | null = null;
  if (svgText) {
    // Our own drawing from media/boards (no scripts in it); imported as SVG DOM, not innerHTML.
    const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
    if (doc.documentElement.nodeName === 'svg') {
      svg = document.importNode(doc.documentElement, true) as unknown as SVGSVGElement;
      boardView.appendChild(svg);
      svg.querySelector('[data-action="reset"]')?.addEventListener('click', () => post({ type: 'control', action: 'restart' }));
    }
  }
  const pinText: string[] = [];
  for (const part of board.parts) {
    const inSvg = svg?.querySelector(`[data-part="${CSS.escape(part.id)}"]`) ?? null;
    switch (part.type) {
      case 'led': {
        pinText.push(`${part.label}: ${part.pin}`);
        const color = part.color ?? 'red';
        if (inSvg) {
          const glow = inSvg.querySelector('.led-glow') as SVGElement | null;
          if (glow) glow.style.fill = color;
          ledViews.set(part.id, { glow: glow ?? undefined, body: (inSvg.querySelector('.led-body') as SVGElement | null) ?? undefined, color });
        } else {
          const box = el('div', 'extra');
          const lamp = el('span', 'lamp');
          box.append(lamp, el('span', undefined, `${part.label} (${part.pin})`));
          extras.appendChild(box);
          ledViews.set(part.id, { lamp, color });
        }
        break;
      }
      case 'button': {
        pinText.push(`${part.label}: ${part.pin}${part.key ? ` (key ${part.key.toUpperCase()})` : ''}`);
        if (part.key) keyToButton.set(part.key.toLowerCase(), part.id);
        if (inSvg) makePressable(inSvg, part.id);
        else {
          const box = el('div', 'extra');
          const b = el('button', undefined, part.label);
          b.title = `${part.pin}, ${part.polarity}`;
          makePressable(b, part.id);
          box.append(b);
          extras.appendChild(box);
        }
        break;
      }
      case 'switch': {
        pinText.push(`${part.label}: ${part.pin}`);
        const box = el('label', 'extra');
        const input = el('input');
        input.type = 'checkbox';
        input.checked = part.initiallyOn ?? false;
        input.addEventListener('change', () => post({ type: 'switch', id: part.id, on: input.checked }));
        box.append(input, el('span', undefined, `${part.label} (${part.pin})`));
        extras.appendChild(box);
        inputViews.set(part.id, [input]);
        break;
      }
      case 'uart-terminal':
        pinText.push(`${part.label}: ${part.uart}${part.tx ? ` TX ${part.tx}` : ''}${part.rx ? ` RX ${part.rx}` : ''}`);
        if (terminalId === undefined) {
          terminalId = part.id;
          terminalTitle.textContent = `UART terminal · ${part.label}`;
        }
        break;
    }
  }
  pins.textContent = `${board.name} (${chipName ?? board.chip}) — ${pinText.join(' · ')}`;
  extrasTitle.hidden = extras.childElementCount === 0;
}

function showState(state: PanelState): void {
  lastState = state;
  for (const led of state.leds) {
    const v = ledViews.get(led.id);
    if (!v) continue;
    // A perceptual curve, so a 10 % duty cycle is visibly dim but not dark.
    const level = Math.pow(led.brightness, 0.6);
    if (v.glow) v.glow.style.opacity = String(level);
    if (v.body) v.body.style.fill = level > 0.02 ? v.color : '';
    if (v.lamp) {
      v.lamp.style.background = level > 0.02 ? v.color : '';
      v.lamp.style.opacity = String(0.35 + 0.65 * level);
      v.lamp.style.boxShadow = level > 0.02 ? `0 0 ${Math.round(10 * level)}px ${v.color}` : '';
    }
  }
  for (const input of state.inputs) {
    if (held.has(input.id)) continue;
    for (const v of inputViews.get(input.id) ?? []) {
      if (v instanceof HTMLInputElement) v.checked = input.active;
      else v.classList.toggle('pressed', input.active);
    }
  }
  const running = state.state === 'running';
  stateLabel.textContent = state.state === 'none' ? 'no session' : state.state;
  stateLabel.classList.toggle('running', running);
  runButton.disabled = running || state.state === 'exited' || state.state === 'none';
  pauseButton.disabled = !running;
  resetButton.disabled = state.state === 'none';
  modeSelect.value = state.runMode;
  speedSelect.value = String(state.targetSpeed);
  speedSelect.disabled = state.runMode !== 'realtime';
  const speed = running ? ` · ×${state.speed >= 10 ? state.speed.toFixed(0) : state.speed.toFixed(2)} real time` : '';
  clock.textContent = `t = ${state.seconds.toFixed(3)} s${speed}`;
}

function base64Bytes(data: string): Uint8Array {
  const bin = atob(data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

window.addEventListener('message', (event: MessageEvent<ToPanel>) => {
  const m = event.data;
  switch (m.type) {
    case 'board':
      showBoard(m.board, m.svg, m.chipName);
      notice.textContent = m.notice ?? '';
      if (m.state) showState(m.state);
      break;
    case 'state':
      showState(m.state);
      break;
    case 'uart':
      if (m.terminal === terminalId) terminal.write(base64Bytes(m.data));
      break;
    case 'status':
      notice.textContent = m.text;
      if (lastState) showState({ ...lastState, state: 'none' });
      break;
  }
});

post({ type: 'ready' });
