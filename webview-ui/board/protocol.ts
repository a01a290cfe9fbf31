// The messages between the board panel's host (src/extension/panels/board-panel.ts) and its webview,
// shared by both sides so they cannot drift apart.

/** The parts of the board description the panel uses (src/emulator/boards/board-description.ts). */
export interface PanelPart {
  type: 'led' | 'button' | 'switch' | 'uart-terminal';
  id: string;
  label: string;
  pin?: string;
  color?: string;
  polarity?: string;
  key?: string;
  uart?: string;
  tx?: string;
  rx?: string;
  initiallyOn?: boolean;
}
export interface PanelBoard {
  id: string;
  name: string;
  chip: string;
  parts: PanelPart[];
}
export interface PanelState {
  leds: { id: string; on: boolean; brightness: number }[];
  inputs: { id: string; active: boolean }[];
  state: 'stopped' | 'running' | 'exited' | 'none';
  seconds: number;
  speed: number;
  runMode: 'realtime' | 'fast';
  targetSpeed: number;
}

/** Messages from the extension. */
export type ToPanel =
  | { type: 'board'; board: PanelBoard | null; svg?: string; chipName?: string; notice?: string; state?: PanelState }
  | { type: 'state'; state: PanelState }
  | { type: 'uart'; terminal: string; data: string }
  | { type: 'status'; text: string };
/** Messages to the extension. */
export type FromPanel =
  | { type: 'ready' }
  | { type: 'press'; id: string; pressed: boolean }
  | { type: 'switch'; id: string; on: boolean }
  | { type: 'uart'; id: string; text: string }
  | { type: 'control'; action: 'continue' | 'pause' | 'restart' }
  | { type: 'runMode'; mode?: 'realtime' | 'fast'; speed?: number }
  | { type: 'exportVcd' };
