// When tracking is on: FOLLOWUP_SECRET, FOLLOWUP_PUBLIC_URL (or serve's own address), and the errors
// for values that can't be used.
import { describe, expect, it } from 'vitest';
import { TrackingConfigError, trackingFromEnvironment } from '../../packages/runtime/src/tracking/tracking-config.js';

const SECRET = 'config-test-secret-0123456789';

describe('trackingFromEnvironment', () => {
    it('is off without FOLLOWUP_SECRET, or without any public URL (followup run)', () => {
        expect(trackingFromEnvironment({ FOLLOWUP_PUBLIC_URL: 'https://t.shop.example' })).toBeUndefined();
        expect(trackingFromEnvironment({ FOLLOWUP_SECRET: SECRET })).toBeUndefined();
    });

    it('uses FOLLOWUP_PUBLIC_URL (without trailing slashes), else the default read at each use (serve)', () => {
        const given = trackingFromEnvironment({ FOLLOWUP_SECRET: SECRET, FOLLOWUP_PUBLIC_URL: 'https://t.shop.example/' }, () => 'http://127.0.0.1:1');
        expect(given).toMatchObject({ secret: SECRET, publicUrl: 'https://t.shop.example' });
        let listening = '';
        const serve = trackingFromEnvironment({ FOLLOWUP_SECRET: SECRET }, () => listening)!;
        listening = 'http://127.0.0.1:8080';
        expect(serve.publicUrl).toBe('http://127.0.0.1:8080');
        expect(trackingFromEnvironment({ FOLLOWUP_SECRET: SECRET, FOLLOWUP_PUBLIC_URL: 'https://t.example', FOLLOWUP_UNSUBSCRIBE_MAILTO: 'u@shop.example' }))
            .toMatchObject({ unsubscribeMailto: 'u@shop.example' });
    });

    it('refuses a short secret and a public URL that is not http(s), without echoing the secret', () => {
        expect(() => trackingFromEnvironment({ FOLLOWUP_SECRET: 'short', FOLLOWUP_PUBLIC_URL: 'https://t.example' })).toThrow(TrackingConfigError);
        expect(() => trackingFromEnvironment({ FOLLOWUP_SECRET: 'short', FOLLOWUP_PUBLIC_URL: 'https://t.example' })).not.toThrow(/short/);
        expect(() => trackingFromEnvironment({ FOLLOWUP_SECRET: SECRET, FOLLOWUP_PUBLIC_URL: 't.shop.example' })).toThrow(/FOLLOWUP_PUBLIC_URL must be an http\(s\) URL/);
    });
});
