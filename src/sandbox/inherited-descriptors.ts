import { readdir, readFile } from 'node:fs/promises';

// Linux's O_CLOEXEC as /proc/<pid>/fdinfo shows it in `flags:` (octal), on x86-64 and arm64 alike.
const O_CLOEXEC = 0o2000000;

/**
 * The descriptors of this process that a spawned program would inherit: open without close-on-exec,
 * above stdio. Node and libuv open every descriptor of their own close-on-exec, so these came from
 * whatever started Baton (a supervisor, a shell, a test runner). One naming a directory would let a
 * sandboxed command walk the host through /proc/self/fd/N/, past every mount bwrap sets up.
 */
export function inheritedDescriptors(): Promise<number[]> {
  // Read once: only exec hands a process descriptors without close-on-exec, so none appear later
  // (one closed since is covered with /dev/null in vain, which costs nothing). Reading every
  // /proc/self/fdinfo entry on each spawn cost 5-8 ms a command under load.
  scan ??= scanInherited().catch((error: unknown) => {
    scan = undefined;
    throw error;
  });
  return scan;
}

let scan: Promise<number[]> | undefined;

async function scanInherited(): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc/self/fdinfo')) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd < 3) continue;
    let info: string;
    try {
      info = await readFile(`/proc/self/fdinfo/${name}`, 'utf8');
    } catch (error) {
      // Closed since the listing (readdir's own descriptor is one): nothing left to inherit.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const flags = /^flags:\s+([0-7]+)$/m.exec(info)?.[1];
    if (flags !== undefined && (Number.parseInt(flags, 8) & O_CLOEXEC) === 0) found.push(fd);
  }
  return found.sort((a, b) => a - b);
}
