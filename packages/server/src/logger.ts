// Structured logs: one JSON object a line. Secrets never reach them: fields whose names say they hold
// one are replaced, and as a last line of defence every secret value the process knows (API keys,
// FOLLOWUP_SECRET, the SMTP password, the database password) is masked wherever it appears in a line.
import type { Logger } from '@followup/runtime';

export type LogLevel = 'info' | 'warn' | 'error';

const SECRET_FIELD = /authorization|api[-_]?key|secret|password|passwd|token|cookie/i;
const MASK = '[redacted]';

export interface JsonLoggerOptions {
    /** Where lines go (default process.stdout). */
    write?: (line: string) => void;
    /** Secret values to mask wherever they appear (empty and very short values are ignored). */
    secrets?: readonly string[];
    /** Fields added to every line (`pid`, a process name...). */
    base?: Record<string, unknown>;
    clock?: () => Date;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
    const write = options.write ?? ((line: string) => process.stdout.write(line));
    const secrets = [...new Set((options.secrets ?? []).filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
    const clock = options.clock ?? (() => new Date());
    const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
        const entry = { time: clock().toISOString(), level, msg, ...options.base, ...redactFields(fields) };
        let line = safeStringify(entry);
        for (const secret of secrets) if (line.includes(secret)) line = line.split(secret).join(MASK);
        write(line + '\n');
    };
    return {
        info: (msg, fields) => log('info', msg, fields),
        warn: (msg, fields) => log('warn', msg, fields),
        error: (msg, fields) => log('error', msg, fields),
    };
}

/** The secrets a `serve` process knows from its environment, for `createJsonLogger({ secrets })`. */
export function environmentSecrets(env: NodeJS.ProcessEnv): string[] {
    const secrets: string[] = [];
    for (const [name, value] of Object.entries(env)) {
        if (!value) continue;
        if (name === 'FOLLOWUP_API_KEYS') secrets.push(...value.split(',').map((k) => k.trim()));
        else if (SECRET_FIELD.test(name)) secrets.push(value);
        else if (/^(FOLLOWUP_DB|DATABASE_URL)$/.test(name)) {
            const password = passwordOf(value);
            if (password) secrets.push(password, encodeURIComponent(password));
        }
    }
    return secrets;
}

function redactFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (!fields) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
        if (SECRET_FIELD.test(key)) out[key] = MASK;
        else if (value instanceof Error) out[key] = { name: value.name, message: value.message, ...(hasCode(value) ? { code: value.code } : {}) };
        else out[key] = value;
    }
    return out;
}

function hasCode(error: Error): error is Error & { code: unknown } {
    return (error as { code?: unknown }).code !== undefined;
}

function safeStringify(value: unknown): string {
    try {
        return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    } catch {
        return JSON.stringify({ msg: 'unserialisable log entry' });
    }
}

function passwordOf(url: string): string | undefined {
    try {
        const password = new URL(url).password;
        return password ? decodeURIComponent(password) : undefined;
    } catch {
        return undefined;
    }
}
