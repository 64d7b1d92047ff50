// GET /openapi.json: an OpenAPI 3.1 document of serve's HTTP API, generated from the route schemas.
// Checked by an OpenAPI validator, and the event schemas in it are the ones serve validates with.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@followup/runtime';
import { examplePlans, post, API_KEY, cartData, startTestServer, type TestServer } from './serve-support.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

describe('GET /openapi.json', () => {
    let store: Store;
    let serve: TestServer;
    let dir: string;
    let document: Record<string, any>;
    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-openapi-'));
        store = await openStore(path.join(dir, 'db'));
        serve = await startTestServer(store, await examplePlans('cart-abandonment'), { smtpUrl: 'smtp://127.0.0.1:9' });
        const response = await fetch(`${serve.url}/openapi.json`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        document = await response.json() as Record<string, any>;
    });
    afterAll(async () => {
        await serve?.close();
        await store?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('validates as OpenAPI 3.1', async () => {
        const validator = new Validator();
        const result = await validator.validate(document as never);
        expect(result.errors ?? []).toEqual([]);
        expect(result.valid).toBe(true);
        expect(validator.version).toBe('3.1');
        expect(document['openapi']).toBe('3.1.0');
    });

    it('lists the ingestion routes with their event schemas, behind the API key, and the operational ones', async () => {
        const paths = document['paths'] as Record<string, Record<string, any>>;
        expect(Object.keys(paths)).toEqual(expect.arrayContaining([
            '/v1/events/cartAbandonment', '/v1/events/purchase', '/v1/events', '/v1/events/cartAbandonment/schema', '/healthz', '/readyz', '/metrics',
        ]));
        expect(Object.keys(paths)).not.toContain('/openapi.json');
        const post = paths['/v1/events/cartAbandonment']!['post'];
        expect(post.security).toEqual([{ apiKey: [] }]);
        const body = post.requestBody.content['application/json'].schema;
        expect(body.required).toEqual(['data']);
        expect(body.properties.data.required).toEqual(expect.arrayContaining(['customerId', 'email', 'firstName', 'cartTotal']));
        expect(body.properties.data.properties.items.items).toEqual({ $ref: '#/components/schemas/CartItem' });
        expect(document['components'].schemas.CartItem.required).toEqual(['sku', 'name', 'price', 'quantity']);
        expect(document['components'].securitySchemes.apiKey).toEqual({ type: 'http', scheme: 'bearer' });
    });

    it('does not get in the way of ingestion', async () => {
        expect((await post(`${serve.url}/v1/events/cartAbandonment`, { id: 'cart-openapi', data: cartData(1) })).status).toBe(202);
        expect((await post(`${serve.url}/v1/events/cartAbandonment`, { id: 'cart-openapi-2', data: cartData(2) }, { key: null })).status).toBe(401);
        expect(API_KEY).toBeTruthy();
    });
});
