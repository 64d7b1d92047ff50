/**
 * `followup serve` as a child process (the built binary): started on a free port, its JSON-lines
 * logs collected, its URL read from the "listening" log line; stopped with a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repo = path.resolve(import.meta.dirname, '../..');
export const bin = path.join(repo, 'packages/cli/bin/followup.js');

/** A copy of the cart-abandonment example in `parent`/`name` (without its state folder), sending email to `smtpUrl`. */
export function exampleProjectWithSmtp(parent: string, name: string, smtpUrl: string): string {
    const dir = path.join(parent, name);
    const example = path.join(repo, 'examples/cart-abandonment');
    fs.cpSync(example, dir, { recursive: true, filter: (from) => path.relative(example, from).split(path.sep)[0] !== '.followup' });
    fs.writeFileSync(path.join(dir, 'followup.config.json'), JSON.stringify({ from: 'Shop <shop@example.com>', transports: { email: smtpUrl } }));
    return dir;
}

export interface ServeProcess {
    child: ChildProcess;
    url: string;
    /** Everything written to stdout so far (JSON lines). */
    stdout(): string;
    stderr(): string;
    /** Sends `signal` and resolves with the exit code. */
    stop(signal?: NodeJS.Signals): Promise<number | null>;
    exited: Promise<number | null>;
}

export async function startServe(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
    const child = spawn(process.execPath, [bin, 'serve', ...args, '--port', '0'], {
        cwd: repo,
        env: { ...process.env, NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start in ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
        const look = () => {
            const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
            if (line) {
                clearTimeout(timer);
                resolve((JSON.parse(line) as { url: string }).url);
            }
        };
        child.stdout!.on('data', look);
        void exited.then((code) => {
            clearTimeout(timer);
            reject(new Error(`serve exited with ${code} before listening:\n${out}\n${err}`));
        });
    });
    return {
        child,
        url,
        stdout: () => out,
        stderr: () => err,
        exited,
        async stop(signal = 'SIGTERM') {
            if (child.exitCode === null) child.kill(signal);
            return exited;
        },
    };
}

/** Runs `followup serve ...` expecting it to exit (usage errors, --help). */
export function runServe(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, 'serve', ...args], { cwd: repo, env: { ...process.env, NO_COLOR: '1', FOLLOWUP_API_KEYS: '', ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
}
