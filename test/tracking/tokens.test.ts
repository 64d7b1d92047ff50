// Signed tracking tokens: what verifies, and every way a token can be wrong.
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken, checkTrackingSecret, TrackingSecretError } from '../../packages/runtime/src/tracking/tokens.js';

const secret = 'test-secret-0123456789abcdef';
const click = { kind: 'click', deliveryId: 'cartAbandonment_followup_email:cart-001', url: 'https://shop.example/cart/c001?x=1&y=2' } as const;

/** The payload part re-encoded with other fields, keeping the original signature. */
function withPayload(token: string, fields: string[]): string {
    return `${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${token.split('.')[1]}`;
}

describe('tracking tokens', () => {
    it('verify and give back what was signed: click (URL and link name), open, unsubscribe', () => {
        expect(verifyToken(signToken(click, secret), secret)).toEqual(click);
        const named = { ...click, link: 'checkout' };
        expect(verifyToken(signToken(named, secret), secret)).toEqual(named);
        expect(verifyToken(signToken({ kind: 'open', deliveryId: 'd1' }, secret), secret)).toEqual({ kind: 'open', deliveryId: 'd1' });
        expect(verifyToken(signToken({ kind: 'unsubscribe', deliveryId: 'd1' }, secret), secret)).toEqual({ kind: 'unsubscribe', deliveryId: 'd1' });
    });

    it('are URL-safe: only base64url characters and one dot', () => {
        const token = signToken({ ...click, url: 'https://shop.example/ü?q=a b&c=<d>' }, secret);
        expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    });

    it('refuse a token signed with another secret', () => {
        expect(verifyToken(signToken(click, 'another-secret-0123456789'), secret)).toBeUndefined();
    });

    it('refuse the signature replayed for another URL or another delivery', () => {
        const token = signToken(click, secret);
        expect(verifyToken(withPayload(token, ['c', click.deliveryId, 'https://evil.example/']), secret)).toBeUndefined();
        expect(verifyToken(withPayload(token, ['c', 'other-delivery', click.url]), secret)).toBeUndefined();
        // The same fields verify: the helper itself is sound.
        expect(verifyToken(withPayload(token, ['c', click.deliveryId, click.url]), secret)).toEqual(click);
    });

    it('refuse an open token presented as a click, and a click token with a link name added', () => {
        const open = signToken({ kind: 'open', deliveryId: 'd1' }, secret);
        expect(verifyToken(withPayload(open, ['c', 'd1', 'https://shop.example/']), secret)).toBeUndefined();
        const token = signToken(click, secret);
        expect(verifyToken(withPayload(token, ['c', click.deliveryId, click.url, 'checkout']), secret)).toBeUndefined();
    });

    it('refuse every truncation and every single-character change', () => {
        const token = signToken(click, secret);
        for (let n = 0; n < token.length; n++) expect(verifyToken(token.slice(0, n), secret)).toBeUndefined();
        for (let i = 0; i < token.length; i++) {
            const c = token[i] === 'A' ? 'B' : 'A';
            expect(verifyToken(token.slice(0, i) + c + token.slice(i + 1), secret), `changed at ${i}`).toBeUndefined();
        }
    });

    it('refuse malformed tokens without throwing', () => {
        for (const bad of ['', '.', 'abc', 'a.b.c', '%%%.%%%', `${'a'.repeat(10_000)}.x`, 'eyJ9.AAAA']) {
            expect(verifyToken(bad, secret)).toBeUndefined();
        }
    });

    it('refuse a click whose signed URL is not http(s)', () => {
        const token = signToken({ kind: 'click', deliveryId: 'd1', url: 'javascript:alert(1)' }, secret);
        expect(verifyToken(token, secret)).toBeUndefined();
    });

    it('need a secret of at least 16 characters, and never echo it', () => {
        expect(() => checkTrackingSecret(undefined)).toThrow(TrackingSecretError);
        expect(() => checkTrackingSecret('short-secret')).toThrow(/at least 16/);
        expect(() => checkTrackingSecret('short-secret')).not.toThrow(/short-secret/);
        expect(() => checkTrackingSecret(secret)).not.toThrow();
    });
});
