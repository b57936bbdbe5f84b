import { describe, expect, it } from 'vitest';
import { allowedTransitions, IllegalPhaseTransition, PhaseMachine, type Phase } from './engine-phase';

const phases: readonly Phase[] = ['stopped', 'offline', 'catching-up', 'live'];

function machineIn(path: readonly Phase[]): PhaseMachine {
  const machine = new PhaseMachine();
  for (const phase of path) machine.enter(phase);
  return machine;
}

const pathTo: Record<Phase, readonly Phase[]> = {
  stopped: [],
  offline: ['offline'],
  'catching-up': ['offline', 'catching-up'],
  live: ['offline', 'catching-up', 'live'],
};

describe('PhaseMachine', () => {
  it('starts stopped and follows a connection life: start, subscribe, catch up, drop, stop', () => {
    const machine = machineIn(['offline', 'catching-up', 'live', 'offline', 'stopped']);
    expect(machine.current).toBe('stopped');
  });

  it('allows exactly the transitions of the table and throws for every other one', () => {
    for (const from of phases) {
      for (const to of phases) {
        const machine = machineIn(pathTo[from]);
        expect(machine.current).toBe(from);
        if (allowedTransitions[from].includes(to)) {
          machine.enter(to);
          expect(machine.current).toBe(to);
        } else {
          expect(() => machine.enter(to)).toThrow(IllegalPhaseTransition);
          expect(machine.current).toBe(from);
        }
      }
    }
  });

  it('refuses the bugs the table exists for: live while offline or stopped, catching up while stopped or live', () => {
    expect(() => machineIn(['offline']).enter('live')).toThrow(IllegalPhaseTransition);
    expect(() => machineIn([]).enter('live')).toThrow(IllegalPhaseTransition);
    expect(() => machineIn([]).enter('catching-up')).toThrow(IllegalPhaseTransition);
    expect(() => machineIn(pathTo.live).enter('catching-up')).toThrow(IllegalPhaseTransition);
  });
});
