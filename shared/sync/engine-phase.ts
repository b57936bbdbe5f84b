// The engine's connection phase, changed only through the transitions below: a transition outside the
// table is a bug in the engine (e.g. going live while offline), so it throws instead of corrupting state.

/** Where the engine is in a connection's life. */
export type Phase = 'stopped' | 'offline' | 'catching-up' | 'live';

/** The phases each phase may move to. */
export const allowedTransitions: Readonly<Record<Phase, readonly Phase[]>> = {
  // start
  stopped: ['offline', 'stopped'],
  // a subscription was accepted; a failed connect closes again; stop
  offline: ['catching-up', 'offline', 'stopped'],
  // caught up to the subscribed head; the connection dropped; stop
  'catching-up': ['live', 'offline', 'stopped'],
  // the connection dropped; stop
  live: ['offline', 'stopped'],
};

/** Thrown for a phase change outside `allowedTransitions`: always an engine bug. */
export class IllegalPhaseTransition extends Error {
  constructor(
    readonly from: Phase,
    readonly to: Phase,
  ) {
    super(`illegal sync phase transition ${from} → ${to}`);
  }
}

/** The single owner of the engine's phase. */
export class PhaseMachine {
  #current: Phase = 'stopped';

  /** The current phase. */
  get current(): Phase {
    return this.#current;
  }

  /** Whether the engine is in `phase`. */
  is(phase: Phase): boolean {
    return this.#current === phase;
  }

  /** Moves to `to`; throws IllegalPhaseTransition when the table does not allow it. */
  enter(to: Phase): void {
    if (!allowedTransitions[this.#current].includes(to)) throw new IllegalPhaseTransition(this.#current, to);
    this.#current = to;
  }
}
