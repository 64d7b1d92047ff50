// The project's declarations as the importer checks them (`followup import --project`, the records of
// `followup test`): plain data, no AST. No runtime code here, so the language server can use it
// without loading the store.
import { fieldViews, isEvent, keyField, type LoadedProject } from '@followup/language';
import type { EventSchema, ImportSchemas } from '@followup/runtime';

/** `phoneRegion`: followup.config.json's, where phone numbers without a country code are read. */
export function projectSchemas(project: LoadedProject, phoneRegion?: string): ImportSchemas {
    const events: EventSchema[] = project.documents
        .flatMap(d => d.parseResult.value.declarations)
        .filter(isEvent)
        .map(e => ({ name: e.name, fields: fieldViews(e), key: keyField(e)?.name }));
    const profile = project.profile;
    return {
        events,
        ...(profile ? { profile: { name: 'profile', kind: 'profile' as const, fields: fieldViews(profile), key: keyField(profile)?.name } } : {}),
        ...(phoneRegion !== undefined ? { phoneRegion } : {}),
    };
}
