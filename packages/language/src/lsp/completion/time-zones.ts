// Completion of IANA time zone names inside `in "..."` (schedule, quiet hours).
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver';
import { isKnownTimeZone } from '../../model/durations.js';

let zones: string[] | undefined;

/** The engine's canonical zones plus `UTC` (which `supportedValuesOf` leaves out), once per process. */
export function timeZoneNames(): string[] {
    if (!zones) {
        const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
        zones = [...new Set(['UTC', ...supported])].filter(isKnownTimeZone);
    }
    return zones;
}

export function timeZoneItems(): CompletionItem[] {
    return timeZoneNames().map((zone, i) => ({
        label: zone,
        kind: CompletionItemKind.Value,
        detail: 'time zone',
        sortText: String(i).padStart(4, '0'),
    }));
}
