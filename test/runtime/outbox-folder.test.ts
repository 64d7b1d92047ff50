// The `outbox:<dir>` transport: real MIME files, named injectively after the delivery id, written
// atomically, and never twice for one delivery.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOutboxFolderTransport, createTransport, fileStem, type OutgoingMessage } from '@followup/runtime';
import { readOutbox, tempDir } from './support.js';

const root = tempDir('outbox-folder');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = () => path.join(root, `o${n++}`);

const email = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
    deliveryId: 'reminder:e1',
    channel: 'email',
    to: 'ana@example.com',
    rule: 'reminder',
    eventId: 'e1',
    subject: 'Ana, your cart is waiting — €120',
    text: 'Hi Ana,\nyour cart is waiting.',
    html: '<p>Hi Ana, <a href="https://shop.example/cart?a=1&b=2">your cart</a> is waiting.</p>',
    headers: { 'X-Followup-Rule': 'reminder' },
    ...over,
});

describe('outbox folder transport', () => {
    it('writes one real MIME message per email: From, To, Subject, Message-ID, Date, text and html alternatives', async () => {
        const dir = folder();
        const transport = createOutboxFolderTransport(dir, { from: 'Shop <shop@example.com>' });
        expect(await transport.send(email())).toEqual({ status: 'sent', providerId: path.join(dir, 'reminder~e1.eml') });
        const raw = fs.readFileSync(path.join(dir, 'reminder~e1.eml'), 'utf8');
        expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
        expect(raw).toMatch(/^Date: /m);
        expect(raw).toMatch(/^X-Followup-Rule: reminder$/m);
        const [mail] = await readOutbox(dir);
        expect(mail).toMatchObject({
            to: 'ana@example.com',
            subject: 'Ana, your cart is waiting — €120',
            text: 'Hi Ana,\nyour cart is waiting.',
            messageId: '<reminder=3Ae1@followup>',
        });
        expect(mail!.html).toContain('href="https://shop.example/cart?a=1&b=2"');
        expect((mail!.headers.get('from') as { value: { name: string; address: string }[] }).value).toEqual([{ name: 'Shop', address: 'shop@example.com' }]);
    });

    it('writes one .json per sms and push message', async () => {
        const dir = folder();
        const transport = createOutboxFolderTransport(dir, { from: 'x@example.com' });
        await transport.send({ deliveryId: 'nudge:e2', channel: 'sms', to: '+33600000000', rule: 'nudge', eventId: 'e2', text: 'Your cart: https://s.example/c' });
        await transport.send({ deliveryId: 'ping:e3', channel: 'push', to: 'token-1', rule: 'ping', eventId: 'e3', title: 'Cart', text: 'Still there' });
        expect(fs.readdirSync(dir).filter((f) => f !== '.tmp').sort()).toEqual(['nudge~e2.json', 'ping~e3.json']);
        expect(JSON.parse(fs.readFileSync(path.join(dir, 'nudge~e2.json'), 'utf8'))).toMatchObject({
            deliveryId: 'nudge:e2', channel: 'sms', to: '+33600000000', text: 'Your cart: https://s.example/c',
        });
        expect(JSON.parse(fs.readFileSync(path.join(dir, 'ping~e3.json'), 'utf8'))).toMatchObject({ title: 'Cart', text: 'Still there' });
    });

    it('delivers a delivery id once: a second attempt finds the file and answers sent without writing', async () => {
        const dir = folder();
        const transport = createOutboxFolderTransport(dir, { from: 'x@example.com' });
        await transport.send(email());
        const file = path.join(dir, 'reminder~e1.eml');
        const before = fs.readFileSync(file);
        // Another process's attempt, or a retry after a crash before the outbox row was marked sent.
        const again = createOutboxFolderTransport(dir, { from: 'x@example.com' });
        expect(await again.send(email({ subject: 'changed' }))).toMatchObject({ status: 'sent' });
        const results = await Promise.all(Array.from({ length: 8 }, () => again.send(email({ subject: 'racing' }))));
        expect(results.every((r) => r.status === 'sent')).toBe(true);
        expect(fs.readFileSync(file)).toEqual(before);
        expect(fs.readdirSync(dir).filter((f) => f.endsWith('.eml'))).toEqual(['reminder~e1.eml']);
        expect(fs.readdirSync(path.join(dir, '.tmp'))).toEqual([]);
    });

    it('racing first attempts of one delivery leave exactly one whole file', async () => {
        const dir = folder();
        const transports = Array.from({ length: 6 }, () => createOutboxFolderTransport(dir, { from: 'x@example.com' }));
        await Promise.all(transports.map((t, i) => t.send(email({ subject: `copy ${i}` }))));
        const mails = await readOutbox(dir);
        expect(mails).toHaveLength(1);
        expect(mails[0]!.subject).toMatch(/^copy \d$/);
    });

    it('removes temporary files left by processes that died', async () => {
        const dir = folder();
        fs.mkdirSync(path.join(dir, '.tmp'), { recursive: true });
        const dead = path.join(dir, '.tmp', 'x~y.eml.999999999.abcdef');
        fs.writeFileSync(dead, 'half a message');
        await createOutboxFolderTransport(dir, { from: 'x@example.com' }).send(email());
        expect(fs.existsSync(dead)).toBe(false);
    });

    it('defers the fsyncs to flush (the dispatcher calls it once per batch): the files are there at once, flushed together', async () => {
        const dir = folder();
        const transport = createOutboxFolderTransport(dir, { from: 'x@example.com' });
        await transport.flush!(); // nothing sent yet
        for (let i = 0; i < 3; i++) await transport.send(email({ deliveryId: `reminder:e${i}` }));
        expect(fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()).toEqual(['reminder~e0.eml', 'reminder~e1.eml', 'reminder~e2.eml']);
        await transport.flush!();
        // A file already there (an earlier attempt) is answered 'sent' and flushed with the batch.
        expect(await transport.send(email({ deliveryId: 'reminder:e1', subject: 'changed' }))).toMatchObject({ status: 'sent' });
        await transport.flush!();
    });

    it('refuses, for good, what can never be a single email', async () => {
        const transport = createOutboxFolderTransport(folder(), { from: 'x@example.com' });
        expect(await transport.send(email({ to: 'ana@example.com, eve@example.com' }))).toMatchObject({ status: 'failed' });
        expect(await transport.send(email({ headers: { Bcc: 'eve@example.com' } }))).toMatchObject({ status: 'failed' });
    });

    it('names files injectively after the delivery id', () => {
        expect(fileStem('cartAbandonment_followup_email:e1')).toBe('cartAbandonment_followup_email~e1');
        expect(fileStem('r:a~b')).toBe('r~a%7Eb'); // a literal ~ can't be confused with the :
        expect(fileStem('r:a/b\\c')).toBe('r~a%2Fb%5Cc');
        expect(fileStem('.hidden:x')).toBe('%2Ehidden~x');
        expect(fileStem('r:100%')).toBe('r~100%25');
        expect(fileStem('r:café')).toBe('r~caf%C3%A9');
        const long = fileStem(`r:${'x'.repeat(500)}`);
        expect(long.length).toBeLessThanOrEqual(200);
        expect(long).not.toBe(fileStem(`r:${'x'.repeat(501)}`));
        const ids = ['a:b', 'a~b', 'a%7Eb', 'a:b:c', 'a:b~c', 'a.b', '.ab', 'a/b', 'a%2Fb'];
        expect(new Set(ids.map(fileStem)).size).toBe(ids.length);
    });

    it('createTransport: outbox:<dir> relative to the project, smtp:// and https:// targets; other schemes are refused', async () => {
        const options = { from: 'x@example.com', projectRoot: root, env: {} };
        const transport = createTransport('outbox:out/box', options);
        expect(transport.description).toBe(`outbox:${path.join(root, 'out/box')}`);
        const smtp = createTransport('smtp://127.0.0.1:2525', options);
        expect(smtp.description).toBe('smtp://127.0.0.1:2525');
        await smtp.close();
        expect(createTransport('https://sms.example.com/send', options).description).toBe('https://sms.example.com/send');
        expect(() => createTransport('ftp://example.com', options)).toThrow(/not supported: use outbox:<dir>, smtp:\/\/, smtps:\/\/ or https:\/\//);
    });
});
