// Rendering at dispatch: a follow-up's outbox row holds no message (prepare-followup.ts), so the rows a
// claim will send are rendered here, in the claim's transaction, from what the store keeps and cannot
// change: the event (immutable) and the profile version valid at the decision's instant (profiles are
// versioned, schema v5). The same data and the same templates give the same message as the decision
// would have rendered (a run renders only for a dry run's lines: prepare-followup.ts), every attempt.
// The templates are the plan's this process dispatches with: a project deployed between decision and
// dispatch (a follow-up held by quiet hours) sends with its new templates, a fixed typo included
// (docs/architecture.md, "Rendering at dispatch"). A row that cannot be rendered fails with the reason;
// one decided with tracking and claimed by a process
// without it is retried with backoff instead, so fixing the configuration still sends it.
import type { RenderPlan } from '@followup/compiler';
import { renderedFollowup, renderingFailed } from '../executor/prepare-followup.js';
import { binaryTextArray as array } from '../executor/text-array.js';
import { createRenderer } from '../render/message-renderer.js';
import type { StoreTx } from '../store/store.js';
import type { ContentDecorator } from '../tracking/decorate.js';
import type { OutboxRow } from './outbox-rows.js';

/** Each row's event, and the profile version valid at its `renderAt`, by the row's position. */
const SOURCES_SQL = `
SELECT r.i, e.payload AS event, p.payload AS profile
FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS r(event_id, render_at, key_field, i)
JOIN events e ON e.id = r.event_id
LEFT JOIN LATERAL (
    SELECT pv.payload FROM profiles pv
    WHERE r.key_field IS NOT NULL AND pv.key = e.payload ->> r.key_field AND pv.updated_at <= r.render_at::timestamptz
    ORDER BY pv.updated_at DESC LIMIT 1) p ON true`;

export interface RenderedRows {
    /** Rows to send, their content now complete (rows recorded with their message are passed through). */
    ready: OutboxRow[];
    /**
     * Rows that cannot be sent now, with the reason recorded as the row's error: `retry` when another
     * attempt may succeed (this process lacks the tracking the row was decided with: a configuration
     * to fix, not a reason to lose the follow-up), `failed` otherwise.
     */
    unsendable: [OutboxRow, { status: 'retry' | 'failed'; error: string }][];
}

/** Renders the rows recorded without their message (one query for all of them); the others are passed through. */
export async function renderDeferred(
    tx: Pick<StoreTx, 'query'>,
    plans: ReadonlyMap<string, RenderPlan>,
    rows: readonly OutboxRow[],
    decorate: ContentDecorator | undefined,
): Promise<RenderedRows> {
    const deferred = rows.filter((row) => row.content.renderAt !== undefined);
    if (deferred.length === 0) return { ready: [...rows], unsendable: [] };
    const result: RenderedRows = { ready: [], unsendable: [] };
    const planOf = (row: OutboxRow) => (row.rule === null ? undefined : plans.get(row.rule));
    const { rows: sources } = await tx.query<{ i: string | number; event: Record<string, unknown>; profile: Record<string, unknown> | null }>(
        SOURCES_SQL,
        [
            array(deferred.map((row) => row.content.eventId)),
            array(deferred.map((row) => row.content.renderAt!)),
            array(deferred.map((row) => planOf(row)?.profile?.keyField ?? null)),
        ],
    );
    const sourceOf = new Map(sources.map((s) => [Number(s.i) - 1, s]));
    const position = new Map(deferred.map((row, i) => [row, i]));
    for (const row of rows) {
        const at = position.get(row);
        if (at === undefined) {
            result.ready.push(row);
            continue;
        }
        const reason = unsendable(row, planOf(row), decorate);
        const source = sourceOf.get(at);
        if (reason) result.unsendable.push([row, reason]);
        else if (!source) result.unsendable.push([row, { status: 'failed', error: `event ${row.content.eventId} is no longer in the store` }]);
        else {
            const plan = planOf(row)!;
            try {
                const rendered = createRenderer(plan.templates)(source.event, source.profile);
                const content = renderedFollowup(row.content, rendered, { deliveryId: row.delivery_id, channel: row.channel }, decorate);
                result.ready.push({ ...row, content });
            } catch (error) {
                result.unsendable.push([row, { status: 'failed', error: renderingFailed(error) }]);
            }
        }
    }
    return result;
}

/** Why a row recorded without its message cannot be rendered by this process, if it cannot. */
function unsendable(row: OutboxRow, plan: RenderPlan | undefined, decorate: ContentDecorator | undefined): { status: 'retry' | 'failed'; error: string } | undefined {
    if (!plan) return { status: 'failed', error: `rule ${row.rule ?? '(none)'} is not in the project being dispatched: its follow-up cannot be rendered` };
    if (plan.channel !== row.channel) {
        return { status: 'failed', error: `rule ${plan.rule} now sends on ${plan.channel}; this follow-up was decided for ${row.channel}` };
    }
    if (row.content.tracked && !decorate) {
        return { status: 'retry', error: 'decided with tracking, but this process has none (set FOLLOWUP_SECRET and FOLLOWUP_PUBLIC_URL where it dispatches)' };
    }
    return undefined;
}
