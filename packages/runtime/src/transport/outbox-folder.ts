// `outbox:<dir>`: every message becomes a file — a real MIME `.eml` per email, a `.json` per sms or
// push — so a new user sees real messages without any server.
//
// Exactly once: the file's name comes from the delivery id, and it appears atomically (written under
// a temporary name, then hard-linked to its final name, which fails if that name exists). A file that
// already exists means an earlier attempt delivered the message — one killed after writing the file
// but before the outbox row was marked sent — so the transport answers 'sent' without writing again.
// Durable before recorded: the files of a batch are flushed to disk together (`flush`, which the
// dispatcher calls before it records the batch as sent: their fsyncs run side by side, and the file
// system commits them as one), not one fsync per message as it is written (measured: ~630 messages/s
// with one fsync each on these machines). The file written stays open until then, so the flush syncs
// the handle it has instead of opening each file again (bench/README.md).
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildEmail, extraHeadersProblem, isSingleEmailAddress, messageIdFor } from './mime.js';
import type { OutgoingMessage, SendResult, Transport } from './transport.js';

export interface OutboxFolderOptions {
    /** The From of emails. */
    from: string;
}

const TEMP_FOLDER = '.tmp';

export function createOutboxFolderTransport(dir: string, options: OutboxFolderOptions): Transport {
    const folder = resolve(dir);
    const temp = join(folder, TEMP_FOLDER);
    let ready: Promise<void> | undefined;
    const prepare = () => (ready ??= mkdir(temp, { recursive: true }).then(() => removeStaleTemps(temp)));
    /** Files answered 'sent' and not flushed yet, with the handle they were written through (if this process wrote them). */
    let unflushed = new Map<string, FileHandle | undefined>();
    /** A file to flush; one handle per file is enough (the same message twice before a flush). */
    const remember = async (file: string, handle: FileHandle | undefined) => {
        const kept = unflushed.get(file);
        if (kept && handle) await handle.close();
        unflushed.set(file, kept ?? handle);
    };
    return {
        description: `outbox:${folder}`,
        idempotent: true,
        async send(message: OutgoingMessage): Promise<SendResult> {
            const name = `${fileStem(message.deliveryId)}.${message.channel === 'email' ? 'eml' : 'json'}`;
            const final = join(folder, name);
            const refused = refusal(message);
            if (refused) return { status: 'failed', error: refused };
            let body: Buffer | string;
            try {
                body = message.channel === 'email' ? emlOf(message, options.from) : jsonOf(message);
            } catch (error) {
                return { status: 'failed', error: `the message can't be written as MIME: ${(error as Error).message}` };
            }
            try {
                await prepare();
                // Already there (an earlier attempt): the link fails and that copy stands, flushed with this
                // batch too, before it is recorded. (Not looked up first: that costs every message a call,
                // for the rare retry after a crash.)
                const handle = await writeOnce(join(temp, `${name}.${process.pid}.${tempSuffix()}`), final, body);
                await remember(final, handle);
                return { status: 'sent', providerId: final };
            } catch (error) {
                // A full disk or a permission problem may be fixed: retried with backoff, then failed.
                ready = undefined;
                return { status: 'retry', error: `cannot write ${final}: ${(error as Error).message}` };
            }
        },
        async flush() {
            // Taken at once: files written while this flush waits (the dispatcher sends its next batch
            // meanwhile) are the next flush's.
            const taken = unflushed;
            if (taken.size === 0) return;
            unflushed = new Map();
            const files = [...taken];
            try {
                await Promise.all(files.map(([file, handle]) => (handle ? handle.datasync() : syncFile(file))));
                await syncFile(folder); // the names (links) too
            } catch (error) {
                // Kept for the next flush, handles and all: nothing was recorded as sent.
                for (const [file, handle] of taken) await remember(file, handle);
                throw new Error(`cannot flush the outbox folder ${folder}: ${(error as Error).message}`);
            }
            await Promise.all(files.map(([, handle]) => handle?.close()));
        },
        async close() {
            const handles = [...unflushed.values()];
            unflushed = new Map();
            await Promise.all(handles.map((handle) => handle?.close()));
        },
    };
}

/** fsync of a file or a folder (its entries). */
async function syncFile(path: string): Promise<void> {
    const handle = await open(path, 'r');
    try {
        await handle.sync();
    } finally {
        await handle.close();
    }
}

/**
 * Writes `body` to `tempPath`, then links it to `final` unless `final` already exists (not flushed:
 * the transport's `flush` makes the batch durable, through the handle returned, still open).
 */
async function writeOnce(tempPath: string, final: string, body: string | Buffer): Promise<FileHandle | undefined> {
    const handle = await open(tempPath, 'wx');
    let linked = false;
    try {
        await handle.writeFile(body);
        await link(tempPath, final);
        linked = true;
        return handle;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // Another attempt (another process) delivered it meanwhile: that copy stands (and is synced by name).
        return undefined;
    } finally {
        if (!linked) await handle.close();
        await unlink(tempPath).catch(() => {});
    }
}

/**
 * A file name for a delivery id that is injective (two ids never share a file, which would make the
 * second look delivered): `:` (rule:event) becomes `~`; characters other than letters, digits, `.`,
 * `_` and `-` become `%XX` (UTF-8), and so does a leading `.` (no hidden files). Very long ids are cut
 * and suffixed with a hash of the whole id. Note: on a case-insensitive file system (macOS's default),
 * ids differing only in letter case would share a file.
 */
export function fileStem(deliveryId: string): string {
    let stem = '';
    for (const ch of deliveryId) {
        if (ch === ':') stem += '~';
        else if (/^[A-Za-z0-9_.-]$/.test(ch) && !(ch === '.' && stem === '')) stem += ch;
        else for (const byte of Buffer.from(ch, 'utf8')) stem += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    if (stem.length <= 200) return stem;
    return `${stem.slice(0, 160)}-${createHash('sha256').update(deliveryId).digest('hex').slice(0, 32)}`;
}

/** The same bytes the SMTP transport sends (mime.ts, built in one pass with nodemailer's encoders). */
function emlOf(message: OutgoingMessage, from: string): Buffer {
    return buildEmail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: messageIdFor(message.deliveryId),
        headers: message.headers,
        date: message.date,
    });
}

/** Why a message can never be written as it is (the same rules as the SMTP transport), or undefined. */
function refusal(message: OutgoingMessage): string | undefined {
    if (message.channel === 'email' && !isSingleEmailAddress(message.to)) return `not one email address: ${JSON.stringify(message.to)}`;
    return message.channel === 'email' ? extraHeadersProblem(message.headers) : undefined;
}

function jsonOf(message: OutgoingMessage): string {
    const { deliveryId, channel, to, rule, eventId, title, text } = message;
    return JSON.stringify({ deliveryId, channel, to, rule, eventId, ...(title !== undefined ? { title } : {}), text: text ?? '', date: (message.date ?? new Date()).toISOString() }, null, 2) + '\n';
}

/** Unique among this process's temporary files (the pid in the name sets processes apart). */
const PROCESS_TAG = randomBytes(4).toString('hex');
let tempCount = 0;
function tempSuffix(): string {
    return `${PROCESS_TAG}${(tempCount++).toString(36)}`;
}

/** Temporary files left by killed processes (their pid is in the name, and no longer running). */
async function removeStaleTemps(temp: string): Promise<void> {
    for (const name of await readdir(temp).catch(() => [] as string[])) {
        const pid = Number(name.split('.').at(-2));
        if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) await unlink(join(temp, name)).catch(() => {});
    }
}

function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
}
