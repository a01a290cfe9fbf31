// The status-bar text for a simulation, from the adapter's 'cortex-m-sim/status' reply. Pure (no
// vscode import) so it can be unit-tested.

export interface SimulationStatus {
  state: 'running' | 'stopped' | 'exited' | 'none';
  instructions?: number;
  cycles?: number;
  seconds?: number;
  instructionsPerSecond?: number;
  chip?: string;
}

export function formatRate(instructionsPerSecond: number): string {
  if (instructionsPerSecond >= 1e6) return `${(instructionsPerSecond / 1e6).toFixed(1)} MIPS`;
  if (instructionsPerSecond >= 1e3) return `${(instructionsPerSecond / 1e3).toFixed(1)} kIPS`;
  return `${Math.round(instructionsPerSecond)} IPS`;
}

export function formatStatus(status: SimulationStatus): string {
  const chip = status.chip ? ` ${status.chip}` : '';
  switch (status.state) {
    case 'running':
      return `$(debug-start)${chip} running · ${formatRate(status.instructionsPerSecond ?? 0)}`;
    case 'stopped':
      return `$(debug-pause)${chip} stopped · ${(status.seconds ?? 0).toFixed(3)} s simulated`;
    case 'exited':
      return `$(debug-stop)${chip} exited`;
    default:
      return '$(chip) Cortex-M Sim';
  }
}
