import type { ListItem } from './parsers';
import type { RequestOptions, Requester } from './types';

/** Queue management: queues, agents, queued calls and waiting callers. */
export class Queues {
  constructor(private readonly r: Requester) {}

  /** One item a line, with the queue's `name` (see docs/protocol.md). */
  list(o?: RequestOptions): Promise<ListItem[]> {
    return this.r.request('q_list', {}, o) as Promise<ListItem[]>;
  }
  /** One item a line, with `agent` (the interface) and `state` where the PBX gives them. */
  agents(queue: string, o?: RequestOptions): Promise<ListItem[]> {
    return this.r.request('agent_list', { q_name: queue }, o) as Promise<ListItem[]>;
  }
  /** `agent` (an extension) is sent as `src`; without it the PBX logs in the session's own user. */
  agentLogin(queue: string, agent?: string, o?: RequestOptions): Promise<true> {
    return this.r.request('agent_login', { q_name: queue, src: agent }, o) as Promise<true>;
  }
  agentLogout(queue: string, agent?: string, o?: RequestOptions): Promise<true> {
    return this.r.request('agent_logout', { q_name: queue, src: agent }, o) as Promise<true>;
  }
  calls(queue: string, o?: RequestOptions): Promise<ListItem[]> {
    return this.r.request('q_call_list', { q_name: queue }, o) as Promise<ListItem[]>;
  }
  waiting(queue: string, o?: RequestOptions): Promise<ListItem[]> {
    return this.r.request('q_waiting_list', { q_name: queue }, o) as Promise<ListItem[]>;
  }
  /** Moves a waiting caller to `position` (1-based), or one place forward without it (assumed parameters). */
  shiftCaller(queue: string, chan: string, position?: number, o?: RequestOptions): Promise<true> {
    return this.r.request('q_shift_caller', { q_name: queue, chan, position }, o) as Promise<true>;
  }
  removeCaller(queue: string, chan: string, o?: RequestOptions): Promise<true> {
    return this.r.request('q_caller_del', { q_name: queue, chan }, o) as Promise<true>;
  }
}
