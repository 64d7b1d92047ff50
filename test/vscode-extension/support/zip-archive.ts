// Reads a .zip (a .vsix is one) through its central directory, with nothing but node:zlib: the
// tests must not depend on an `unzip` binary being installed.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface ZipEntry { name: string; compressedSize: number; size: number; method: number; localHeaderOffset: number }

export interface ZipArchive {
    entries: ZipEntry[];
    read(name: string): Buffer;
}

const endOfCentralDirectory = 0x06054b50;
const centralDirectoryHeader = 0x02014b50;
const localFileHeader = 0x04034b50;

export function openZip(file: string): ZipArchive {
    const zip = fs.readFileSync(file);
    // The end record is the last 22 bytes plus a comment of up to 64 KiB.
    let end = -1;
    for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
        if (zip.readUInt32LE(i) === endOfCentralDirectory) { end = i; break; }
    }
    if (end < 0) throw new Error(`${file}: not a zip archive (no end of central directory)`);
    const count = zip.readUInt16LE(end + 10);
    let at = zip.readUInt32LE(end + 16);
    const entries: ZipEntry[] = [];
    for (let n = 0; n < count; n++) {
        if (zip.readUInt32LE(at) !== centralDirectoryHeader) throw new Error(`${file}: broken central directory at ${at}`);
        const nameLength = zip.readUInt16LE(at + 28);
        const extraLength = zip.readUInt16LE(at + 30);
        const commentLength = zip.readUInt16LE(at + 32);
        entries.push({
            method: zip.readUInt16LE(at + 10),
            compressedSize: zip.readUInt32LE(at + 20),
            size: zip.readUInt32LE(at + 24),
            localHeaderOffset: zip.readUInt32LE(at + 42),
            name: zip.toString('utf8', at + 46, at + 46 + nameLength),
        });
        at += 46 + nameLength + extraLength + commentLength;
    }
    return {
        entries,
        read(name) {
            const entry = entries.find(e => e.name === name);
            if (!entry) throw new Error(`${file}: no entry ${name}`);
            const local = entry.localHeaderOffset;
            if (zip.readUInt32LE(local) !== localFileHeader) throw new Error(`${file}: broken local header for ${name}`);
            const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
            const data = zip.subarray(start, start + entry.compressedSize);
            if (entry.method === 0) return Buffer.from(data);
            if (entry.method === 8) return zlib.inflateRawSync(data);
            throw new Error(`${file}: ${name} uses compression method ${entry.method}`);
        },
    };
}

/** Writes every entry under `folder`, keeping the archive's paths. */
export function extractZip(archive: ZipArchive, folder: string): void {
    for (const entry of archive.entries) {
        if (entry.name.endsWith('/')) continue;
        if (entry.name.split('/').includes('..')) throw new Error(`refusing to extract ${entry.name}`);
        const target = `${folder}/${entry.name}`;
        fs.mkdirSync(target.slice(0, target.lastIndexOf('/')), { recursive: true });
        fs.writeFileSync(target, archive.read(entry.name));
    }
}
