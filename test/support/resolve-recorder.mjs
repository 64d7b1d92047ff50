// A module resolve hook (node:module `register`) that appends every URL node resolves, with the URL
// of the module that asked for it, to a file as JSON lines. Used by
// test/package/runtime-imports.test.ts to see what importing the built runtime really loads.
// Written synchronously, because the hooks run on their own thread and the process may exit as soon
// as the last import settles.
import * as fs from 'node:fs';

let fd;

export function initialize({ file }) {
    fd = fs.openSync(file, 'a');
}

export async function resolve(specifier, context, nextResolve) {
    const resolved = await nextResolve(specifier, context);
    fs.writeSync(fd, `${JSON.stringify({ url: resolved.url, parent: context.parentURL ?? null })}\n`);
    return resolved;
}
