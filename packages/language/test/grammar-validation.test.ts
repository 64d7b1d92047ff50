// The parser is built in Langium's production mode (langium-config.json), which skips chevrotain's
// grammar validations at every start (~30 ms of `followup check`, docs/status.md). They run here
// instead: the grammar built in development mode must raise no error and log no warning (an
// "Ambiguous Alternatives" warning once came from a keyword listed twice among the names).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDefaultCoreModule, createDefaultSharedCoreModule, EmptyFileSystem, inject } from 'langium';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FollowupGeneratedModule, FollowupGeneratedSharedModule, FollowupLanguageMetaData } from '../src/generated/module.js';
import { FollowupModule } from '../src/services/followup-module.js';

afterEach(() => vi.restoreAllMocks());

describe('the grammar', () => {
    it('passes chevrotain\'s validations (development mode) and parses every example with no warning', () => {
        expect(FollowupLanguageMetaData.mode).toBe('production');
        const logged: string[] = [];
        for (const method of ['log', 'warn', 'error'] as const) {
            vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
        }
        const shared = inject(createDefaultSharedCoreModule(EmptyFileSystem), FollowupGeneratedSharedModule);
        const services = inject(createDefaultCoreModule({ shared }), FollowupGeneratedModule, FollowupModule as never, {
            LanguageMetaData: () => ({ ...FollowupLanguageMetaData, mode: 'development' as const }),
        });
        const parser = services.parser.LangiumParser;
        // Chevrotain's ALL(*) lookahead reports an ambiguity when it meets one while parsing: every example file is parsed.
        const examples = path.resolve(import.meta.dirname, '../../../examples');
        const files = fs.readdirSync(examples, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.followup') && fs.statSync(path.join(examples, f)).isFile());
        expect(files.length).toBeGreaterThan(3);
        for (const file of files) {
            expect(parser.parse(fs.readFileSync(path.join(examples, file), 'utf8')).parserErrors, file).toEqual([]);
        }
        expect(logged).toEqual([]);
    });
});
