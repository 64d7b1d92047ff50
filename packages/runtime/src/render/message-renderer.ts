// Renders a rule's message from its compiled templates (RenderPlan.templates) and one event's data.
// A plan may come from a file, so its templates are data — programs (@followup/template's
// program.ts) — that are validated here before anything renders them, and rendered by closures of
// the template package over its filters: nothing read from a plan is compiled or evaluated.
import { programRenderer, validateProgram, type ProgramRender } from '@followup/template/runtime';
import type { RenderPlan } from '@followup/compiler';

export type MessagePart = 'subject' | 'html' | 'text' | 'title';

export type RenderedContent = Partial<Record<MessagePart, string>>;

/** Renders one message for an event (and its profile, for events targeting the profile). */
export type MessageRenderer = (event: Record<string, unknown>, profile: Record<string, unknown> | null) => RenderedContent;

const parts: readonly MessagePart[] = ['subject', 'html', 'text', 'title'];

// run-rule asks for a renderer on every run of a rule; a plan's templates are validated once.
const renderers = new WeakMap<RenderPlan['templates'], MessageRenderer>();

/**
 * Validates each template of the plan once (a `TemplateProgramError` names the bad one's JSON path,
 * `templates.html.program[3].expr...`); the renderer it returns is called per event.
 */
export function createRenderer(templates: RenderPlan['templates']): MessageRenderer {
    const known = renderers.get(templates);
    if (known) return known;
    const compiled: [MessagePart, ProgramRender][] = [];
    for (const part of parts) {
        const template = templates[part];
        if (template) compiled.push([part, programRenderer(validateProgram(template.program, `templates.${part}.program`))]);
    }
    const renderer: MessageRenderer = (event, profile) => {
        const content: RenderedContent = {};
        for (const [part, render] of compiled) content[part] = render(event, profile);
        return content;
    };
    renderers.set(templates, renderer);
    return renderer;
}
