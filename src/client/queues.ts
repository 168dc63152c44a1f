import { ActionArea } from './actions';
import type { RequestOptions } from './types';

/** Queue management: queues, agents, queued calls and waiting callers. */
export class Queues extends ActionArea {
  list(o?: RequestOptions) {
    return this.ask('q_list', {}, o);
  }
  agents(queue: string, o?: RequestOptions) {
    return this.ask('agent_list', { q_name: queue }, o);
  }
  /** `agent` (an extension) is sent as `src`; without it the PBX logs in the session's own user. */
  agentLogin(queue: string, agent?: string, o?: RequestOptions) {
    return this.ask('agent_login', { q_name: queue, src: agent }, o);
  }
  agentLogout(queue: string, agent?: string, o?: RequestOptions) {
    return this.ask('agent_logout', { q_name: queue, src: agent }, o);
  }
  calls(queue: string, o?: RequestOptions) {
    return this.ask('q_call_list', { q_name: queue }, o);
  }
  waiting(queue: string, o?: RequestOptions) {
    return this.ask('q_waiting_list', { q_name: queue }, o);
  }
  /** Moves a waiting caller to `position` (1-based), or one place forward without it (assumed parameters). */
  shiftCaller(queue: string, chan: string, position?: number, o?: RequestOptions) {
    return this.ask('q_shift_caller', { q_name: queue, chan, position }, o);
  }
  removeCaller(queue: string, chan: string, o?: RequestOptions) {
    return this.ask('q_caller_del', { q_name: queue, chan }, o);
  }
}
