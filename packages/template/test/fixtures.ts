// Shared schema and helpers for the template tests: the cartAbandonment event of LANGUAGE.md.
import {
    checkTemplate, compileTemplate, programRenderer, validateProgram, type CheckedTemplate, type TemplateContext, type TemplateProgram,
} from '../src/index.js';
import { type FieldView, type FuType, primitive, type PrimitiveTypeName } from '../src/fu-type.js';

export const field = (name: string, type: FuType | PrimitiveTypeName, optional = false): FieldView =>
    ({ name, type: typeof type === 'string' ? primitive(type) : type, optional });

export const cartItemFields: FieldView[] = [field('sku', 'string'), field('name', 'string'), field('price', 'decimal'), field('quantity', 'int')];
export const cartItem: FuType = { kind: 'record', name: 'CartItem', fields: () => cartItemFields };

export const orderLine: FuType = { kind: 'record', name: 'OrderLine', fields: () => [field('sku', 'string'), field('qty', 'int')] };
export const order: FuType = {
    kind: 'record', name: 'Order', fields: () => [field('ref', 'string'), field('lines', { kind: 'list', element: orderLine })],
};

export const eventFields: FieldView[] = [
    field('customerId', 'string'),
    field('email', 'email'),
    field('phone', 'phone', true),
    field('firstName', 'string'),
    field('nickname', 'string', true),
    field('cartTotal', 'decimal'),
    field('currency', 'string'),
    field('items', { kind: 'list', element: cartItem }),
    field('tags', { kind: 'list', element: primitive('string') }),
    field('orders', { kind: 'list', element: order }),
    field('cartUrl', 'url'),
    field('loyaltyMember', 'boolean'),
    field('abandonedAt', 'timestamp'),
    field('birthday', 'date', true),
    field('points', 'int'),
    field('constructor', 'string', true),
    field('legacy', { kind: 'unknown' }),
];

export const profileFields: FieldView[] = [field('customerId', 'string'), field('country', 'string'), field('emailOptIn', 'boolean')];

export const html: TemplateContext = { fields: eventFields, mode: 'html' };
export const text: TemplateContext = { fields: eventFields, mode: 'text' };
export const withProfile: TemplateContext = { fields: eventFields, profileFields, mode: 'html' };

/** The range of the `nth` occurrence of `needle` in `source`. */
export function span(source: string, needle: string, nth = 0): { start: number; end: number } {
    let at = -1;
    for (let i = 0; i <= nth; i++) {
        at = source.indexOf(needle, at + 1);
        if (at < 0) throw new Error(`'${needle}' (#${nth}) not in ${source}`);
    }
    return { start: at, end: at + needle.length };
}

/** Diagnostics reduced to what a user sees, for exact comparisons. */
export function seen(checked: { diagnostics: CheckedTemplate['diagnostics'] }) {
    return checked.diagnostics.map(d => ({ code: d.code, severity: d.severity, message: d.message, start: d.start, end: d.end }));
}

export const sampleData = {
    customerId: 'c-1',
    email: 'ann@example.com',
    firstName: 'Ann',
    cartTotal: 120.5,
    currency: 'EUR',
    items: [
        { sku: 'A1', name: 'Mug', price: 12, quantity: 2 },
        { sku: 'B2', name: 'Teapot', price: 96.5, quantity: 1 },
    ],
    tags: ['vip', 'new'],
    orders: [{ ref: 'o-1', lines: [{ sku: 'A1', qty: 1 }, { sku: 'C3', qty: 4 }] }],
    cartUrl: 'https://shop.example/cart?c=1&x=2',
    loyaltyMember: true,
    abandonedAt: '2024-05-01T10:20:30Z',
    points: 0,
};

/** As the runtime renders a program read from a plan file: through JSON, validated, then rendered. */
export function renderProgram(program: TemplateProgram, data: object, profile?: object): string {
    return programRenderer(validateProgram(JSON.parse(JSON.stringify(program))))(data, profile);
}

/** Checks (expecting no errors), compiles and renders as the runtime does. */
export function render(template: string, data: object = sampleData, ctx: TemplateContext = html, profile?: object): string {
    const checked = checkTemplate(template, ctx);
    const errors = checked.diagnostics.filter(d => d.severity === 'error');
    if (errors.length > 0) throw new Error(`unexpected diagnostics: ${JSON.stringify(errors)}`);
    return renderProgram(compileTemplate(checked, ctx.mode), data, profile);
}
