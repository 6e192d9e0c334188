import { NodeFS } from "@electric-sql/pglite/nodefs";
import type { PGlite } from "@electric-sql/pglite";
import { closeSync, fsyncSync, openSync, readdirSync, constants } from "node:fs";
import { join } from "node:path";

// PGlite (0.5.x) runs PostgreSQL in WASM over Emscripten's NODEFS. With fsync on, PostgreSQL does
// call fsync()/fdatasync(), but neither reaches the OS (seen with strace: zero fsync/fdatasync
// syscalls on commit):
//   - fdatasync() is Emscripten's `__syscall_fdatasync`, which only checks the fd and returns 0;
//   - fsync() is WASI `fd_sync`, which calls the stream's `stream_ops.fsync`, and NODEFS has none;
//   - NodeFS.syncToFs() (PGlite's own per-query sync) is a no-op for NODEFS.
// So the embedded database gives NODEFS an `fsync` that calls the real fsync(2) on the node fd, and
// runs with wal_sync_method=fsync (fdatasync cannot be fixed from JavaScript: the import is bound at
// instantiation). Every commit's WAL flush, checkpoint and control-file update then reaches the disk.

/** Calls to the real fsync(2) made for PostgreSQL since start (a test and the benchmark read it). */
export const fsyncCounter = { calls: 0 };

interface NodefsModule {
  NODEFS: { stream_ops: Record<string, unknown>; tryFSOperation<T>(op: () => T): T };
}

export class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Parameters<NodeFS["init"]>[1]) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const preRun = [...((emscriptenOpts.preRun as ((mod: unknown) => void)[] | undefined) ?? [])];
    preRun.push((mod) => {
      const nodefs = (mod as NodefsModule).NODEFS;
      nodefs.stream_ops.fsync = (stream: { nfd?: number }) => {
        if (stream.nfd === undefined) return 0;
        const nfd = stream.nfd;
        // A failure becomes an errno for PostgreSQL (tryFSOperation maps node's code), which then
        // PANICs rather than acknowledge a commit that is not on disk.
        nodefs.tryFSOperation(() => fsyncSync(nfd));
        fsyncCounter.calls++;
        return 0;
      };
    });
    return { emscriptenOpts: { ...emscriptenOpts, preRun } };
  }
}

/**
 * fsync(2) every file and directory under `root`, then `root` itself: for a cluster written
 * outside PostgreSQL (the unpacked image), which PostgreSQL never syncs on its own.
 */
export function fsyncTree(root: string): void {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) fsyncTree(path);
    else if (entry.isFile()) fsyncPath(path);
  }
  fsyncPath(root);
}

export function fsyncPath(path: string): void {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
