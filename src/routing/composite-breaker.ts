import { CircuitState, ConsecutiveBreaker, SamplingBreaker, type IBreaker } from 'cockatiel';
import type { BreakerPolicy } from './route-policy.js';

/**
 * Trips on whichever comes first: `consecutiveFailures` in a row, or a failure
 * rate over a sliding window once enough requests were seen. Cockatiel takes
 * one breaker; this feeds both.
 */
export class CompositeBreaker implements IBreaker {
  private readonly consecutive: ConsecutiveBreaker;
  private readonly sampling: SamplingBreaker;

  constructor(policy: BreakerPolicy) {
    this.consecutive = new ConsecutiveBreaker(policy.consecutiveFailures);
    this.sampling = new SamplingBreaker({
      threshold: policy.failureRate,
      duration: policy.windowMs,
      minimumRps: policy.minRequests / (policy.windowMs / 1_000),
    });
  }

  get state(): unknown {
    return { consecutive: this.consecutive.state, sampling: this.sampling.state };
  }

  set state(value: unknown) {
    const saved = value as { consecutive: number; sampling: unknown };
    this.consecutive.state = saved.consecutive;
    this.sampling.state = saved.sampling;
  }

  success(state: CircuitState): void {
    this.consecutive.success();
    this.sampling.success(state);
  }

  failure(state: CircuitState): boolean {
    const byCount = this.consecutive.failure();
    const byRate = this.sampling.failure(state);
    return byCount || byRate;
  }
}
