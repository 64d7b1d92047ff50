import { describeMutations } from './mutations.js';

describeMutations([0, 1], 4);
