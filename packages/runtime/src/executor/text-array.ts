// A `text[]` bind parameter in PostgreSQL's binary format. Both drivers send a Buffer parameter as
// binary: `pg` always, and PGlite when the statement types the parameter (`$1::text[]`), as every
// statement here does. Their own encoding of a JS array is an array literal: every element escaped,
// then the whole literal parsed again by the server. For a run's rendered HTML that escaping and
// parsing was most of the cost of recording the outbox (measured per 1,000 rows of 2.5 KB: 127-142 ms
// → 104 ms on PostgreSQL, 71 → 19 ms on PGlite; bench/README.md).

const TEXT_OID = 25;
const HEADER_BYTES = 20;

/** Encodes `values` as a one-dimensional binary `text[]` (NULL for null). */
export function binaryTextArray(values: readonly (string | null)[]): Buffer {
    const lengths = new Int32Array(values.length);
    let size = HEADER_BYTES;
    let hasNull = 0;
    for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (value === null || value === undefined) {
            lengths[i] = -1;
            hasNull = 1;
            size += 4;
        } else {
            lengths[i] = Buffer.byteLength(value, 'utf8');
            size += 4 + lengths[i]!;
        }
    }
    const buffer = Buffer.allocUnsafe(size);
    buffer.writeInt32BE(1, 0); // dimensions
    buffer.writeInt32BE(hasNull, 4);
    buffer.writeInt32BE(TEXT_OID, 8);
    buffer.writeInt32BE(values.length, 12);
    buffer.writeInt32BE(1, 16); // lower bound
    let offset = HEADER_BYTES;
    for (let i = 0; i < values.length; i++) {
        const length = lengths[i]!;
        buffer.writeInt32BE(length, offset);
        offset += 4;
        if (length > 0) offset += buffer.write(values[i]!, offset, 'utf8');
    }
    return buffer;
}

