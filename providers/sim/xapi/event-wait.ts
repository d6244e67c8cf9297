// xe event-wait: blocks until an object of a class has the given field values.
import { sleep } from '../faults.js';
import { CLASSES } from './classes.js';
import { CliError } from './errors.js';
import { renderValue } from './record-format.js';
import type { Command } from './select.js';
import { findField } from './class-commands.js';

const EVENT_WAIT_LIMIT_MS = 10 * 60 * 1000;

export const eventWait: Command = {
  required: ['class'],
  run: async (run) => {
    const cls = CLASSES[run.get('class')!.toLowerCase()];
    if (!cls) throw new CliError(`Unknown class: ${run.get('class')}`); // [UNCONFIRMED] text
    const conds = run.order.filter(([k]) => k !== 'class' && k !== 'minimal');
    const deadline = Date.now() + EVENT_WAIT_LIMIT_MS;
    for (;;) {
      const hit = await run.read((st, c) =>
        cls.rows(st).some((o) =>
          conds.every(([k, v]) => {
            const f = findField(cls, k);
            const val = renderValue(f, f.get(o, c));
            return v.startsWith('/=') ? val !== v.slice(2) : val === v;
          }),
        ),
      );
      if (hit) return '';
      if (Date.now() > deadline) throw new CliError('event-wait: the simulator gave up after 10 minutes');
      await sleep(50);
    }
  },
};
