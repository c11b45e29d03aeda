/**
 * A value made on first use and kept. For what is costly to build and not needed by every run, e.g. a
 * zod schema in a module the CLI loads: each CLI call is a new process, so what a module builds when it
 * loads is paid by every command, used or not.
 */
export function once<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}
