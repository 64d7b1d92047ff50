// Colours only on a TTY (and never when NO_COLOR is set).
export interface Style {
    red(s: string): string;
    yellow(s: string): string;
    cyan(s: string): string;
    dim(s: string): string;
    bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export function styleFor(stream: NodeJS.WriteStream): Style {
    const on = Boolean(stream.isTTY) && !process.env['NO_COLOR'];
    const id = (s: string) => s;
    return on
        ? { red: wrap(31, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), dim: wrap(2, 22), bold: wrap(1, 22) }
        : { red: id, yellow: id, cyan: id, dim: id, bold: id };
}
