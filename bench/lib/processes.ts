// Starts servers to measure as child processes (the same process model for Còmhla and for the
// bare Fastify baseline), waits until they answer, and stops them.
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

export type Child = {
  process: ChildProcess
  port: number
  output: () => string
  stop: (signal?: NodeJS.Signals) => Promise<void>
}

export async function startNode(
  entry: string,
  env: Record<string, string>,
  options: { port?: number; readyPath?: string; timeoutMs?: number } = {},
): Promise<Child & { readyAfterMs: number }> {
  const port = options.port ?? (await freePort())
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const readyPath = options.readyPath ?? '/health/ready'
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}:\n${out}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}${readyPath}`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${entry} did not become ready:\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 25))
  }
  const readyAfterMs = performance.now() - started
  return {
    process: child,
    port,
    readyAfterMs,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}
