// What `followup run` and `serve` say on standard error about the indexes they derive from the rules
// (created at a store's first run, "would create" in a dry run): tests that expect an otherwise quiet
// standard error leave these lines out.
export function withoutIndexNotes(stderr: string): string {
    return stderr.replace(/^(created|would create) index followup_\w+ .*\n/gm, '');
}
