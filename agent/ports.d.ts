import WebSocket from 'ws';
import type { ConnectSocket, RandomBytes } from '../shared/sync/ports';
/** Secure random bytes. */
export declare const nodeRandom: RandomBytes;
/** The `ConnectSocket` adapter over a `ws` WebSocket class (tests pass the one Node resolves for them). */
export declare const connectWith: (Socket: typeof WebSocket) => ConnectSocket;
/** The `ConnectSocket` adapter over `ws`. */
export declare const connectSocket: ConnectSocket;
