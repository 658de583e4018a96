import autocannon, { type Result } from 'autocannon';

export interface LoadOptions {
  connections: number;
  /** Seconds of load whose results are thrown away (JIT, caches, connection pool). */
  warmupSeconds: number;
  durationSeconds: number;
  headers?: Record<string, string>;
}

/** A request still unanswered after this long counts as a timeout (and is reported, not hidden). */
const TIMEOUT_SECONDS = 10;
/** V8 optimises a route only after it has run often enough: a slow case needs more than 2 s. */
const WARMUP_MIN_REQUESTS = 200;
const WARMUP_MAX_SECONDS = 10;

const common = (url: string, opts: LoadOptions) => ({ url, connections: opts.connections, headers: opts.headers, timeout: TIMEOUT_SECONDS });

/** Load whose figures are thrown away: at least warmupSeconds and, time allowing, WARMUP_MIN_REQUESTS requests. */
export async function warmUp(url: string, opts: LoadOptions): Promise<void> {
  if (opts.warmupSeconds <= 0) return;
  const start = performance.now();
  let requests = 0;
  for (;;) {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= Math.max(opts.warmupSeconds, WARMUP_MAX_SECONDS) || (elapsed >= opts.warmupSeconds && requests >= WARMUP_MIN_REQUESTS)) return;
    requests += check(url, await autocannon({ ...common(url, opts), duration: 1 })).requests.total;
  }
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; mean: number };
  totalRequests: number;
  timeouts: number;
  errors: number;
  bytesPerSecond: number;
}

/**
 * Closed-loop load: `connections` keep-alive connections, each sending its next request as soon
 * as the previous answer arrives. A non-2xx answer fails the case, so a rate limit or an auth
 * mistake can never pass for a fast server; timeouts and socket errors are counted and reported.
 */
export async function measure(url: string, opts: LoadOptions): Promise<LoadResult> {
  const r = check(url, await autocannon({ ...common(url, opts), duration: opts.durationSeconds }));
  return {
    requestsPerSecond: r.requests.average,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.mean },
    totalRequests: r.requests.total,
    timeouts: r.timeouts,
    errors: r.errors - r.timeouts,
    bytesPerSecond: r.throughput.average,
  };
}

function check(url: string, r: Result): Result {
  if (r.non2xx) throw new Error(`${url}: ${r.non2xx} non-2xx answers out of ${r.requests.total} requests`);
  return r;
}
