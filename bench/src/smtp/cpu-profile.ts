/**
 * The V8 CPU profiler that `node --cpu-prof` uses, started and stopped from inside a
 * benchmark child through `node:inspector`, so the profile covers the measured work and
 * not the loading of the TypeScript sources. Asked for with `BENCH_CPU_PROFILE=<file>`;
 * without it nothing is started.
 */
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"

/** Starts profiling when `BENCH_CPU_PROFILE` names a file; the returned function writes it there. */
export async function startCpuProfile(): Promise<() => Promise<void>> {
  const file = process.env.BENCH_CPU_PROFILE
  if (file === undefined || file === "") return async () => {}
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.start")
  return async () => {
    const { profile } = await session.post("Profiler.stop")
    writeFileSync(file, JSON.stringify(profile))
    session.disconnect()
  }
}
