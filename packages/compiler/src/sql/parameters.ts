import type { Dialect, SqlParamType } from './dialect.js';

export interface ParameterSpec {
    /** 1-based: `$1` is the watermark, `$2` now, then the rule's values in order of first use. */
    index: number;
    name: string;
    type: SqlParamType;
    /** The bound value; absent for `$1`/`$2` (and the recheck's `$1`), which the runtime supplies. */
    value?: string | number | boolean | string[] | number[] | boolean[];
    /** When one value serves several uses (the channel `email` and a trigger's `email sent`): every use, first first. */
    uses?: string[];
}

/** Collects the values a query binds, so no value is ever spliced into SQL text. */
export class ParameterList {
    readonly specs: ParameterSpec[];

    constructor(private readonly dialect: Dialect, runtime: Omit<ParameterSpec, 'value'>[]) {
        this.specs = [...runtime];
    }

    /** Binds a value; the same name and value reuse one parameter. */
    bind(name: string, type: SqlParamType, value: NonNullable<ParameterSpec['value']>): string {
        const key = JSON.stringify([type, value]);
        const existing = this.specs.find(s => s.value !== undefined && JSON.stringify([s.type, s.value]) === key);
        if (existing) {
            const uses = existing.uses ?? [existing.name];
            if (!uses.includes(name)) existing.uses = [...uses, name];
            return this.dialect.param(existing.index, existing.type);
        }
        const index = this.specs.length + 1;
        this.specs.push({ index, name, type, value });
        return this.dialect.param(index, type);
    }

    ref(index: number): string {
        const spec = this.specs[index - 1];
        if (!spec) throw new Error(`no parameter $${index}`);
        return this.dialect.param(index, spec.type);
    }
}
