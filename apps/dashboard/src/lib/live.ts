import type { StreamMessage, WorkloadUpdate } from '@niyanta/sdk';
import { useEffect, useRef, useState } from 'react';

/** Subprotocols of `/v1/stream`: the API's own, and the key (browsers cannot set headers on a WebSocket). */
function protocols(key: string): string[] {
  return ['niyanta.v1', `bearer.${key}`];
}

/** What a live subscription reports. */
export type LiveState = 'connecting' | 'live' | 'closed';

/** Filter of a subscription (query parameters of `/v1/stream`; they hold no secret). */
export interface LiveFilter {
  ids?: string[];
  /** With statuses given, the opening snapshot includes finished workloads too (newest first). */
  statuses?: string[];
}

/**
 * Opens `/v1/stream` and calls `onMessage` for each message (the snapshot first, then updates),
 * reconnecting after a drop; returns the connection state. The key travels in the WebSocket
 * subprotocol header, never in the URL.
 */
export function useWorkloadStream(key: string | null, filter: LiveFilter, onMessage: (message: StreamMessage) => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const ids = filter.ids?.join(',') ?? '';
  const statuses = filter.statuses?.join(',') ?? '';

  useEffect(() => {
    if (!key) return undefined;
    let socket: WebSocket | null = null;
    let stopped = false;
    let retry: number | undefined;
    let attempts = 0;
    const connect = () => {
      const url = new URL('/v1/stream', window.location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      if (ids) url.searchParams.set('ids', ids);
      if (statuses) url.searchParams.set('status', statuses);
      setState('connecting');
      socket = new WebSocket(url, protocols(key));
      socket.onopen = () => {
        attempts = 0;
        setState('live');
      };
      socket.onmessage = (event) => {
        try {
          handler.current(JSON.parse(String(event.data)) as StreamMessage);
        } catch {
          // A message that is not JSON is ignored; the next snapshot (after a reconnect) resyncs.
        }
      };
      socket.onclose = (event) => {
        setState('closed');
        // 4001 (key revoked) and 4003 (suspended) are final; anything else is worth another try.
        if (stopped || event.code === 4001 || event.code === 4003) return;
        attempts++;
        retry = window.setTimeout(connect, Math.min(10_000, 250 * 2 ** attempts));
      };
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      socket?.close(1000);
    };
  }, [key, ids, statuses]);
  return state;
}

/** Applies a stream message to a map of workloads by id (the snapshot replaces, updates merge). */
export function applyMessage(current: Map<string, WorkloadUpdate>, message: StreamMessage): Map<string, WorkloadUpdate> {
  const next = message.type === 'snapshot' ? new Map<string, WorkloadUpdate>() : new Map(current);
  const updates = message.type === 'snapshot' ? message.workloads : [message.workload];
  for (const workload of updates) next.set(workload.id, { ...next.get(workload.id), ...workload });
  return next;
}
