/**
 * Everything a bench starts (server processes, scratch databases, temp folders) registers how to
 * undo it here; `run()` undoes it in reverse order, and Ctrl-C or SIGTERM runs it before exiting.
 */
export interface Cleanup {
  defer(label: string, fn: () => Promise<void> | void): void;
  run(): Promise<void>;
}

export function createCleanup(): Cleanup {
  const steps: { label: string; fn: () => Promise<void> | void }[] = [];
  let running: Promise<void> | undefined;

  // Steps registered after a run are undone by the next one: a bench may tidy up between phases.
  const run = () => {
    running ??= (async () => {
      while (steps.length) {
        const step = steps.pop()!;
        try {
          await step.fn();
        } catch (err) {
          process.stderr.write(`cleanup: ${step.label} failed: ${(err as Error).message}\n`);
        }
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping what the bench started...\n`);
      run().finally(() => process.exit(130));
    });
  }
  return {
    defer: (label, fn) => {
      steps.push({ label, fn });
    },
    run,
  };
}
