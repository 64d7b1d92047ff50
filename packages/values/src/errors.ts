// The one vocabulary of errors a user is meant to read: what went wrong, in a sentence, and which kind
// of mistake it is — the input's (exit 1: fix the project, the file, the data) or the invocation's
// and environment's (exit 2: a flag, a missing key, a database that does not answer). Only the CLI
// turns them into exit codes; serve into HTTP answers or log lines.

/** 'input': the input has errors (exit 1); 'usage': usage or environment errors (exit 2). */
export type ErrorKind = 'input' | 'usage';

/** An error whose message is for the user, as it is. Anything else is a bug, reported as one line. */
export class FollowupError extends Error {
    constructor(
        message: string,
        readonly kind: ErrorKind,
    ) {
        super(message);
        this.name = new.target.name;
    }
}
