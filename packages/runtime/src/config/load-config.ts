import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { FollowupError, phoneRegion } from '@followup/values';
import { defaultConfig, type ProjectConfig } from './project-config.js';

/** followup.config.json is not what it must be: exit 2. */
export class ConfigError extends FollowupError {
    constructor(message: string) {
        super(message, 'usage');
    }
}

/** Reads `followup.config.json` of a project folder (all of it optional), over the defaults. */
export function loadConfig(projectRoot: string): ProjectConfig {
    const file = nodePath.join(projectRoot, 'followup.config.json');
    if (!fs.existsSync(file)) return structuredClone(defaultConfig);
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
        throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${file}: expected a JSON object`);
    const given = raw as Partial<ProjectConfig>;
    const transports = { ...defaultConfig.transports, ...(given.transports ?? {}) };
    for (const [channel, target] of Object.entries(transports)) {
        if (typeof target !== 'string' || !/^(outbox:|smtps?:\/\/|https?:\/\/)/.test(target)) {
            throw new ConfigError(`${file}: transports.${channel} must be outbox:<dir>, smtp://..., smtps://... or https://...`);
        }
    }
    if (given.phoneRegion !== undefined && phoneRegion(given.phoneRegion) === undefined) {
        throw new ConfigError(`${file}: phoneRegion must be a two-letter country code such as "FR" or "US", not ${JSON.stringify(given.phoneRegion)}`);
    }
    return {
        transports,
        from: typeof given.from === 'string' ? given.from : defaultConfig.from,
        ...(typeof given.db === 'string' ? { db: given.db } : {}),
        ...(given.phoneRegion !== undefined ? { phoneRegion: given.phoneRegion } : {}),
    };
}
