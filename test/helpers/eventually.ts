/**
 * Polls until `check` stops throwing and returns what it returned, like Playwright's expect().
 * Once `timeoutMs` has passed, throws the last failure, prefixed with `what`.
 *
 * The default wait is generous: CI runs two test files at once on two cores, and a loaded machine
 * is slow, not broken.
 *
 * Give every `assert.ok` / `assert()` inside `check` a message: without one, Node 20 builds the
 * message by re-reading and parsing the caller's source, which under tsx can keep the event loop
 * busy for minutes, so the polled event never arrives and the test hangs (test/single-logout.test.ts).
 */
export async function eventually<T>(
  check: () => Promise<T>,
  what: string,
  { timeoutMs = 15_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
