import { describe, expect, test } from 'vitest';
import { didYouMean, didYouMeanHint, editDistance } from '../src/did-you-mean.js';

describe('didYouMean', () => {
    test('edit distance counts insertions, deletions, substitutions and transpositions', () => {
        expect(editDistance('frstName', 'firstName')).toBe(1);
        expect(editDistance('fisrtName', 'firstName')).toBe(1);
        expect(editDistance('kitten', 'sitting')).toBe(3);
        expect(editDistance('', 'abc')).toBe(3);
    });

    test('suggests the closest name within 2 edits (1 for short names)', () => {
        const fields = ['firstName', 'lastName', 'cartTotal', 'currency', 'items', 'id'];
        expect(didYouMean('frstName', fields)).toBe('firstName');
        expect(didYouMean('firstname', fields)).toBe('firstName');
        expect(didYouMean('cartTotl', fields)).toBe('cartTotal');
        expect(didYouMean('itmes', fields)).toBe('items');
        expect(didYouMean('ix', fields)).toBe('id');
        expect(didYouMean('xy', fields)).toBeUndefined();
        expect(didYouMean('somethingElse', fields)).toBeUndefined();
        expect(didYouMean('a', ['b'])).toBeUndefined();
    });

    test('ties go to the exact-case candidate, then to the first', () => {
        expect(didYouMean('Nme', ['nme2', 'Nmex'])).toBe('Nmex');
        expect(didYouMean('abcd', ['abce', 'abcf'])).toBe('abce');
    });

    test('the hint sentence', () => {
        expect(didYouMeanHint('uper', ['upper', 'lower'])).toBe("Did you mean 'upper'?");
        expect(didYouMeanHint('zzzz', ['upper'])).toBeUndefined();
    });
});
