import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string, entry = 'index.ts') => fileURLToPath(new URL(`./packages/${pkg}/src/${entry}`, import.meta.url));

// Tests import the workspace packages from source, so `vitest` needs no build; the CLI tests run
// the built binary, which `npm test` builds first.
export default defineConfig({
    resolve: {
        alias: [
            { find: /^@followup\/runtime\/render$/, replacement: src('runtime', 'render/message-renderer.ts') },
            { find: /^@followup\/runtime\/validate$/, replacement: src('runtime', 'import/validate-event.ts') },
            { find: /^@followup\/language\/project-files$/, replacement: src('language', 'workspace/project-files.ts') },
            { find: /^@followup\/template\/runtime$/, replacement: src('template', 'runtime.ts') },
            { find: /^@followup\/values$/, replacement: src('values') },
            { find: /^@followup\/template$/, replacement: src('template') },
            { find: /^@followup\/language$/, replacement: src('language') },
            { find: /^@followup\/compiler$/, replacement: src('compiler') },
            { find: /^@followup\/runtime$/, replacement: src('runtime') },
            { find: /^@followup\/server$/, replacement: src('server') },
        ],
    },
    test: {
        include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
        testTimeout: 60_000,
        hookTimeout: 120_000,
        pool: 'forks',
        reporters: ['default', './test/support/summary-reporter.ts'],
    },
});
