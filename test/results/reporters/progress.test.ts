// The progress line: done/total, rate, ETA and what runs now.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { duration, progressLine, withProgress } from '../../../results/reporters/progress.js';

test('the progress line shows done/total, percent, rate, ETA and the current run', () => {
  assert.is(progressLine(50, 200, 10, 'kernel/default rename/x'), '[50/200 25%] 5.0/s ETA 30s  kernel/default rename/x');
  assert.is(progressLine(0, 10, 0, 'x'), '[0/10 0%] 0.0/s ETA ?  x');
  assert.is(duration(125), '2m05s');
});

test('on a terminal progress is drawn on the stream; off one only variant lines are written', () => {
  const written: string[] = [];
  const fake = (tty: boolean) => ({ isTTY: tty, columns: 80, write: (s: string) => written.push(s) }) as unknown as NodeJS.WriteStream;
  let t = 0;
  const r = withProgress({ end: () => 'summary' }, fake(true), () => (t += 1000));
  r.start!(4);
  r.variant!('zenfs/default');
  r.result!({} as never, 2, 4);
  assert.ok(written.some((w) => w.includes('[2/4 50%]') && w.includes('zenfs/default')), written.join('|'));
  assert.is(r.end({} as never), 'summary');
  written.length = 0;
  const plain = withProgress({ end: () => '' }, fake(false));
  plain.start!(4);
  plain.variant!('zenfs/default');
  plain.result!({} as never, 1, 4);
  assert.equal(written, ['▶ zenfs/default (0/4 done)\n']);
});

test.run();
