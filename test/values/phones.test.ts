// Phone numbers (docs/language.md §2): E.164 for every way of writing one, the project's region for
// numbers without a country code, and a clear refusal for what is not a phone number.
import { describe, expect, it } from 'vitest';
import { e164, normalisePhonesAt, phonePaths, phoneProblem, phoneRegion } from '@followup/values';

describe('phone numbers', () => {
    it('one E.164 form for every way of writing a number', () => {
        for (const written of ['+33622222222', '+33 6 22 22 22 22', ' +33 (0)6 22-22-22-22\t', '+33.6.22.22.22.22']) {
            expect(e164(written), written).toBe('+33622222222');
        }
        expect(e164('06 22 22 22 22', 'FR')).toBe('+33622222222');
        expect(e164('0033 6 22 22 22 22', 'FR')).toBe('+33622222222');
        expect(e164('(415) 555-2671', 'US')).toBe('+14155552671');
    });

    it('refuses what is not a phone number, and local numbers without a region', () => {
        for (const [value, region] of [['call me', 'FR'], ['+33 6 22', undefined], ['06 22 22 22 22', undefined], ['', 'FR'], ['+1 415 555 2671\u0000', undefined]] as const) {
            expect(e164(value, region), value).toBeUndefined();
        }
        expect(phoneProblem('06 22 22 22 22')).toBe(
            'expected a phone number with its country code (+33 6 22 22 22 22), or set phoneRegion in followup.config.json to read local numbers, got "06 22 22 22 22"');
        expect(phoneProblem(622222222, 'FR')).toBe('expected a phone number with its country code (+44 20 7946 0958) or as dialled in FR (the project\'s phoneRegion), got 622222222');
        expect(phoneRegion('FR')).toBe('FR');
        expect(phoneRegion('France')).toBeUndefined();
    });

    it('finds the phone fields of data, in records and lists, and rewrites them in place', () => {
        const contact = { kind: 'record' as const, name: 'Contact', fields: () => [{ name: 'mobile', type: { kind: 'primitive' as const, name: 'phone' } }] };
        const fields = [
            { name: 'phone', type: { kind: 'primitive' as const, name: 'phone' } },
            { name: 'email', type: { kind: 'primitive' as const, name: 'email' } },
            { name: 'contacts', type: { kind: 'list' as const, element: contact } },
        ];
        const paths = phonePaths(fields);
        expect(paths).toEqual([['phone'], ['contacts', '*', 'mobile']]);
        const data = { phone: '06 22 22 22 22', email: 'a@example.com', contacts: [{ mobile: '+44 20 7946 0958' }, {}, { mobile: 'nope' }] };
        expect(normalisePhonesAt(data, paths, 'FR')).toEqual([{ path: ['contacts', 2, 'mobile'], message: phoneProblem('nope', 'FR') }]);
        expect(data).toEqual({ phone: '+33622222222', email: 'a@example.com', contacts: [{ mobile: '+442079460958' }, {}, { mobile: 'nope' }] });
    });
});

describe('phoneRegion in followup.config.json', () => {
    it('is read when it is a region, refused with a clear error otherwise', async () => {
        const fs = await import('node:fs');
        const os = await import('node:os');
        const path = await import('node:path');
        const { ConfigError, loadConfig } = await import('@followup/runtime');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-config-'));
        try {
            fs.writeFileSync(path.join(dir, 'followup.config.json'), JSON.stringify({ phoneRegion: 'FR' }));
            expect(loadConfig(dir).phoneRegion).toBe('FR');
            fs.writeFileSync(path.join(dir, 'followup.config.json'), JSON.stringify({ phoneRegion: 'France' }));
            expect(() => loadConfig(dir)).toThrow(ConfigError);
            expect(() => loadConfig(dir)).toThrow('phoneRegion must be a two-letter country code such as "FR" or "US", not "France"');
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
