// Which files make a project (docs/language.md, "What a project is"): every .followup file below the
// folder. Kept apart from load-project.ts, which loads Langium, so that a command that finds its
// compiled plans cached (the CLI's plan cache) can list the sources without loading the parser.
import { compareText, FollowupError } from '@followup/values';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/** No such project, no .followup files: exit 2. */
export class ProjectInputError extends FollowupError {
    constructor(message: string) {
        super(message, 'usage');
    }
}

const skippedFolders = new Set(['node_modules', '.git', '.followup', 'build', 'dist']);

/** The project's root (the first folder given, or the first file's folder) and its .followup files, in walk order. */
export function findFollowupFiles(inputs: string[]): { root: string; files: string[] } {
    if (inputs.length === 0) throw new ProjectInputError('No project given: pass a folder or .followup files');
    const files: string[] = [];
    const walk = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareText(a.name, b.name))) {
            const full = nodePath.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!skippedFolders.has(entry.name) && !entry.name.startsWith('.')) walk(full);
            } else if (entry.name.endsWith('.followup')) files.push(full);
        }
    };
    let root: string | undefined;
    for (const input of inputs) {
        const full = nodePath.resolve(input);
        let stat: fs.Stats;
        try {
            stat = fs.statSync(full);
        } catch {
            throw new ProjectInputError(`No such file or folder: ${input}`);
        }
        if (stat.isDirectory()) {
            root ??= full;
            walk(full);
        } else {
            root ??= nodePath.dirname(full);
            files.push(full);
        }
    }
    if (files.length === 0) throw new ProjectInputError(`No .followup files in ${inputs.join(', ')}`);
    return { root: root!, files: [...new Set(files)] };
}
