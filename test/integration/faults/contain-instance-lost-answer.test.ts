import { containMatrix } from './contain-steps';

/* The contain-instance fault matrix under lost-answer (contain-steps.ts: one file per fault, each on a freshly seeded emulator). */
containMatrix('lost-answer');
