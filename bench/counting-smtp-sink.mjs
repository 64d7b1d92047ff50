// A local SMTP server that only counts the messages it receives (no parsing), in a worker thread of
// the bench (a real mail server is another process): `const sink = await startCountingSink()`,
// `sink.url`, `await sink.count()`, `await sink.close()`.
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';

if (!isMainThread) {
    let messages = 0;
    const server = new SMTPServer({
        authOptional: true, disabledCommands: ['STARTTLS'], logger: false, maxAllowedUnauthenticatedCommands: false,
        onData(stream, _session, callback) {
            stream.on('data', () => {});
            stream.on('end', () => {
                messages++;
                callback(null, 'OK');
            });
        },
    });
    server.on('error', () => {});
    server.listen(0, '127.0.0.1', () => parentPort.postMessage({ url: `smtp://127.0.0.1:${server.server.address().port}` }));
    parentPort.on('message', (msg) => {
        if (msg === 'count') parentPort.postMessage({ count: messages });
        else if (msg === 'close') server.close(() => parentPort.postMessage({ closed: true }));
    });
}

export async function startCountingSink() {
    const worker = new Worker(new URL(import.meta.url));
    const ask = (msg, key) => new Promise((resolve) => {
        const on = (reply) => {
            if (key in reply) {
                worker.off('message', on);
                resolve(reply[key]);
            }
        };
        worker.on('message', on);
        if (msg) worker.postMessage(msg);
    });
    const url = await ask(undefined, 'url');
    return {
        url,
        count: () => ask('count', 'count'),
        async close() {
            await ask('close', 'closed');
            await worker.terminate();
        },
    };
}
