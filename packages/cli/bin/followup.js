#!/usr/bin/env node
import { describeUnexpected, main } from '../dist/main.js';

// Whatever escapes a command (a background task of serve failing, a bug) is one line on standard
// error, never a stack trace with source code, SQL or its parameters.
const fail = (error) => {
    process.stderr.write(`followup: ${describeUnexpected(error)}\n`);
    process.exit(2);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, fail);
