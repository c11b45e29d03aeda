import fs from 'node:fs';
import path from 'node:path';
import { ascending, ms, percentile, say, spread, withTempDir, type Figures } from './support.js';

const SAMPLES = 300;

/**
 * The floor under every other figure: with synchronous=FULL each commit waits for one WAL append to
 * reach the disk. This appends 4 KiB (about one WAL frame) and fsyncs, in the temp dir the other
 * benchmarks use, so their latencies can be read as "so many fsyncs plus CPU".
 */
export async function run(): Promise<Figures> {
  return withTempDir(async (dir) => {
    const fd = fs.openSync(path.join(dir, 'probe.bin'), 'w');
    const page = Buffer.alloc(4096, 0x5a);
    const samples: number[] = [];
    try {
      for (let i = 0; i < SAMPLES; i += 1) {
        fs.writeSync(fd, page);
        const started = performance.now();
        fs.fsyncSync(fd);
        samples.push(performance.now() - started);
      }
    } finally {
      fs.closeSync(fd);
    }
    const sorted = ascending(samples);
    say(`append 4 KiB + fsync (${SAMPLES}x)`, spread(samples));
    say('fsyncs per second (p50)', `${Math.round(1000 / percentile(sorted, 50))}/s  (${ms(percentile(sorted, 50))} each)`);
    return { diskFsyncP50Ms: percentile(sorted, 50), diskFsyncP99Ms: percentile(sorted, 99) };
  });
}
