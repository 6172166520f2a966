// A Mosquitto broker of the test's own: its own config, a free loopback port, stopped after.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface Mosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** Logins (username → password): anonymous clients are then refused. */
  passwords?: Record<string, string>;
  /** An ACL file's text (mosquitto.conf(5) acl_file). */
  acl?: string;
  /** mosquitto_passwd, needed with passwords. */
  passwdBinary?: string;
}

export async function startMosquitto(binary: string, opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  // Race control must not lose a message because it fell behind for a moment: no cap on
  // the QoS 1 queue per client (Mosquitto's default drops beyond 1000).
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'max_queued_messages 0'];
  if (opts.passwords) {
    const file = join(dir, 'passwords');
    writeFileSync(file, '');
    for (const [user, password] of Object.entries(opts.passwords)) {
      execFileSync(opts.passwdBinary ?? 'mosquitto_passwd', ['-b', file, user, password], { stdio: 'ignore' });
    }
    lines.push('allow_anonymous false', `password_file ${file}`);
    // Started as root, mosquitto drops to its own user, which must be able to read these.
    chmodSync(dir, 0o755);
    chmodSync(file, 0o644);
  } else {
    lines.push('allow_anonymous true');
  }
  if (opts.acl !== undefined) {
    writeFileSync(join(dir, 'acl'), opts.acl, { mode: 0o644 });
    chmodSync(dir, 0o755);
    lines.push(`acl_file ${join(dir, 'acl')}`);
  }
  writeFileSync(conf, [...lines, ''].join('\n'));
  const proc: ChildProcess = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`mosquitto did not start on port ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
