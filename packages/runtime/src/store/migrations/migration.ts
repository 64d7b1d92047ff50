/** One step of the store's schema. Versions start at 1 and increase (a number may be left for a step developed elsewhere); a released migration never changes. */
export interface Migration {
    readonly version: number;
    readonly name: string;
    /** A script of statements, run in one transaction. */
    readonly sql: string;
}
