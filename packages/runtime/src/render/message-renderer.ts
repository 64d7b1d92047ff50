// Renders a rule's message from its compiled templates (RenderPlan.templates) and one event's data.
// The templates were compiled by @followup/template (called by the compiler) to Eta source that can
// only read data through `it.f` (the filters) — rendering runs no code from the project's authors.
import { Eta, type TemplateFunction } from 'eta';
import { templateFilters } from '@followup/template/runtime';
import type { RenderPlan } from '@followup/compiler';

export type MessagePart = 'subject' | 'html' | 'text' | 'title';

export type RenderedContent = Partial<Record<MessagePart, string>>;

/** Renders one message for an event (and its profile, for events targeting the profile). */
export type MessageRenderer = (event: Record<string, unknown>, profile: Record<string, unknown> | null) => RenderedContent;

// Escaping is decided at compile time (html parts call `it.f.escape`), so Eta must not escape again;
// trimming would change the author's white space.
const eta = new Eta({ autoEscape: false, autoTrim: false, useWith: false, varName: 'it' });

const parts: readonly MessagePart[] = ['subject', 'html', 'text', 'title'];

/** Compiles each template of the plan once; the renderer it returns is called per event. */
export function createRenderer(templates: RenderPlan['templates']): MessageRenderer {
    const compiled: [MessagePart, TemplateFunction][] = [];
    for (const part of parts) {
        const template = templates[part];
        if (template) compiled.push([part, eta.compile(template.eta)]);
    }
    return (event, profile) => {
        const data = { d: event, p: profile ?? {}, f: templateFilters };
        const content: RenderedContent = {};
        for (const [part, fn] of compiled) content[part] = eta.render(fn, data);
        return content;
    };
}
