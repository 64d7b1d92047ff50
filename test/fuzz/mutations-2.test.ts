import { describeMutations } from './mutations.js';

describeMutations([2, 3], 4);
