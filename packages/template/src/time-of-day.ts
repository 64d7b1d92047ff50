// `at "HH:MM"` of a schedule (docs/language.md §4). Here rather than in the language because the runtime's
// scheduler reads the same text from the plan and must accept exactly what the checker accepted.

export interface TimeOfDay {
    hour: number;
    minute: number;
}

/** `"09:30"` → { hour: 9, minute: 30 }; anything else (`"9:5"`, `"24:00"`, missing) → undefined. */
export function parseTimeOfDay(text: string | undefined): TimeOfDay | undefined {
    const m = /^(\d{1,2}):(\d{2})$/.exec(text ?? '');
    if (!m) return undefined;
    const hour = Number(m[1]);
    const minute = Number(m[2]);
    return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}
