// The date format of the `date('...')` filter: tokens `yyyy MM dd HH mm ss` (UTC), every other
// character is copied as is.

export const dateFormatTokens = ['yyyy', 'MM', 'dd', 'HH', 'mm', 'ss'] as const;
export type DateFormatToken = (typeof dateFormatTokens)[number];

export type DateFormatPart = { token: DateFormatToken; start: number } | { literal: string; start: number };

export function tokenizeDateFormat(format: string): DateFormatPart[] {
    const parts: DateFormatPart[] = [];
    let i = 0;
    while (i < format.length) {
        const token = dateFormatTokens.find(t => format.startsWith(t, i));
        if (token) {
            parts.push({ token, start: i });
            i += token.length;
        } else {
            const last = parts[parts.length - 1];
            if (last && 'literal' in last) parts[parts.length - 1] = { literal: last.literal + format[i]!, start: last.start };
            else parts.push({ literal: format[i]!, start: i });
            i++;
        }
    }
    return parts;
}

/**
 * Runs of one repeated letter left in the literal text (`YYYY`, `DD`, `hh`, `yy`): they look like
 * format tokens but are printed as they are. Other words (`at`) are fine.
 */
export function suspiciousDateTokens(format: string): { text: string; start: number }[] {
    const found: { text: string; start: number }[] = [];
    for (const part of tokenizeDateFormat(format)) {
        if (!('literal' in part)) continue;
        for (const m of part.literal.matchAll(/[A-Za-z]+/g)) {
            if (/^([A-Za-z])\1*$/.test(m[0])) found.push({ text: m[0], start: part.start + m.index! });
        }
    }
    return found;
}

export function formatDateUtc(date: Date, format: string): string {
    const pad = (n: number, width: number): string => String(n).padStart(width, '0');
    return tokenizeDateFormat(format).map(part => {
        if ('literal' in part) return part.literal;
        switch (part.token) {
            case 'yyyy': return pad(date.getUTCFullYear(), 4);
            case 'MM': return pad(date.getUTCMonth() + 1, 2);
            case 'dd': return pad(date.getUTCDate(), 2);
            case 'HH': return pad(date.getUTCHours(), 2);
            case 'mm': return pad(date.getUTCMinutes(), 2);
            case 'ss': return pad(date.getUTCSeconds(), 2);
        }
    }).join('');
}
