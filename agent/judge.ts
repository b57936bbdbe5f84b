// The one place the agent takes the sync judge from: every envelope the agent applies is judged by the
// same function as in the app (the protocol's rules change there, not here).
import { judgeVaultChange } from '../shared/entries/change-judge';
import type { ChangeJudge } from '../shared/sync/judge';

/** The judge handed to the agent's sync engine. */
export const agentJudge: ChangeJudge = judgeVaultChange;
