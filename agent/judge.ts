// The one place the agent takes the sync judge from: every envelope the agent applies is judged by the
// same function as in the app (the protocol's rules change there, not here).
import { judgeMemberUpdate } from '../shared/entries/update-judge';
import type { UpdateJudge } from '../shared/sync/engine-core';

/** The judge handed to the agent's sync engine. */
export const agentJudge: UpdateJudge = judgeMemberUpdate;
