// `followup init [dir]`: a project that checks, compiles, imports, runs and previews at once.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { displayPath } from '../output/code-frame.js';
import { styleFor } from '../output/terminal.js';
import { projectFiles, sampleNow } from '../init/project-template.js';
import { ExitCode, UsageError, type Command } from './command.js';
import { summaryOf } from './registry.js';

export const initCommand: Command = {
    name: 'init',
    summary: summaryOf('init'),
    usage: 'followup init [dir] [--json]',
    help: `Writes a project into dir (default: the current folder), which is created if needed:
  events.followup          the cartAbandonment and purchase events
  messages.followup        the follow-up email; its HTML part in templates/followup.html
  rules.followup           when cartAbandonment sent 3 days ago and not opened then send followup email
  followup.config.json     where messages go (default: .eml files in .followup/outbox)
  history.jsonl            sample history to import (three carts, one opened)
  README.md, .gitignore
Refuses to overwrite: when any of these files exists, writes nothing.

  --json     print {"dir","files":[...]}

Exit codes: 0 created, 2 a file is in the way, or dir is not a folder.`,
    options: { json: { type: 'boolean' } },
    async run(args, io) {
        if (args.positionals.length > 1) throw new UsageError('init takes at most one folder');
        const dir = nodePath.resolve(io.cwd, args.positionals[0] ?? '.');
        if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new UsageError(`${displayPath(dir, io.cwd)} is not a folder`);
        const files = projectFiles(nodePath.basename(dir));
        const inTheWay = Object.keys(files).filter(f => fs.existsSync(nodePath.join(dir, f)));
        const existingFollowup = fs.existsSync(dir) && fs.readdirSync(dir).some(f => f.endsWith('.followup'));
        if (inTheWay.length > 0 || existingFollowup) {
            throw new UsageError(`${displayPath(dir, io.cwd) || '.'} already has ${inTheWay.length ? inTheWay.join(', ') : '.followup files'}: nothing written`);
        }
        for (const [file, content] of Object.entries(files)) {
            const path = nodePath.join(dir, file);
            fs.mkdirSync(nodePath.dirname(path), { recursive: true });
            fs.writeFileSync(path, content, { flag: 'wx' });
        }
        const shown = displayPath(dir, io.cwd) || '.';
        if (args.values['json']) {
            io.out.write(JSON.stringify({ dir: shown, files: Object.keys(files) }) + '\n');
            return ExitCode.ok;
        }
        const style = styleFor(io.out);
        io.out.write(`${style.bold('Created')} ${shown}/: ${Object.keys(files).join(', ')}\n\nNext:\n`);
        for (const step of [
            `npx followup check ${shown}`,
            `npx followup compile ${shown} --out ${shown === '.' ? 'build' : `${shown}/build`}`,
            `npx followup import ${shown === '.' ? '' : `${shown}/`}history.jsonl --project ${shown}`,
            `npx followup run ${shown} --now ${sampleNow}`,
            `npx followup preview ${shown} --rule cartAbandonment_followup_email`,
        ]) io.out.write(`  ${step}\n`);
        return ExitCode.ok;
    },
};
