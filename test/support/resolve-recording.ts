// Node arguments that record every module URL a child process resolves (resolve-recorder.mjs), and
// the reading of that record: how tests see what a command really loads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const recorder = pathToFileURL(path.join(import.meta.dirname, 'resolve-recorder.mjs')).href;

/** `['--import', ...]`: put before the script in a child's node arguments; the URLs go to `file` as JSON lines. */
export function recordResolutions(file: string): string[] {
    const register = `import { register } from 'node:module'; register(${JSON.stringify(recorder)}, { data: { file: ${JSON.stringify(file)} } });`;
    return ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
}

/** The URLs recorded in `file`, in the order they were resolved. */
export function resolvedUrls(file: string): string[] {
    return fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { url: string }).url);
}

/** Of the URLs recorded in `file`, the bundle's chunks (packages/cli/dist/bundle) whose text matches `marker`. */
export function bundleChunksMatching(file: string, repo: string, marker: RegExp): string[] {
    const bundle = pathToFileURL(path.join(repo, 'packages/cli/dist/bundle')).href;
    const chunks = resolvedUrls(file).filter((u) => u.startsWith(bundle));
    if (chunks.length < 2) throw new Error(`${file}: the process read ${chunks.length} bundle chunk(s); was it the bundled CLI?`);
    return chunks.filter((u) => marker.test(fs.readFileSync(new URL(u), 'utf8')));
}
