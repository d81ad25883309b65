import { describe, expect, it } from 'vitest';
import { EventGatherer } from '../../src/events/gather.js';

/** A run whose batches stay open until the test closes them, so what waits and what goes together is decided by the test. */
function heldRuns() {
  const batches: Array<{ inputs: number[]; close: () => void; fail: (err: Error) => void }> = [];
  const run = (inputs: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push({ inputs, close: () => resolve(inputs.map((i) => `done ${i}`)), fail: reject });
    });
  return { batches, run };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('single events gathered into transactions', () => {
  it('starts an event at once while writers are free, and gathers the ones arriving while all are busy', async () => {
    const gatherer = new EventGatherer<number, string>({ concurrency: 2, maxBatch: 10 });
    const { batches, run } = heldRuns();
    const answers = [1, 2, 3, 4, 5].map((i) => gatherer.submit('p', i, run));
    expect(batches.map((b) => b.inputs)).toEqual([[1], [2]]);
    expect(gatherer.waiting).toBe(3);

    batches[0]!.close();
    await settle();
    expect(batches.map((b) => b.inputs)).toEqual([[1], [2], [3, 4, 5]]);
    batches[1]!.close();
    batches[2]!.close();
    expect(await Promise.all(answers)).toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
    expect(gatherer.waiting).toBe(0);
  });

  it('keeps groups apart: events of another group do not wait for this one', async () => {
    const gatherer = new EventGatherer<number, string>({ concurrency: 1, maxBatch: 10 });
    const { batches, run } = heldRuns();
    const a = [gatherer.submit('program A', 1, run), gatherer.submit('program A', 2, run)];
    const b = gatherer.submit('program B', 3, run);
    expect(batches.map((x) => x.inputs)).toEqual([[1], [3]]);
    batches[1]!.close();
    expect(await b).toBe('done 3');
    batches[0]!.close();
    await settle();
    expect(batches.map((x) => x.inputs)).toEqual([[1], [3], [2]]);
    batches[2]!.close();
    expect(await Promise.all(a)).toEqual(['done 1', 'done 2']);
  });

  it('writes at most maxBatch events in one transaction, in the order they arrived', async () => {
    const sizes: number[] = [];
    const gatherer = new EventGatherer<number, string>({ concurrency: 1, maxBatch: 3, onBatch: (n) => sizes.push(n) });
    const { batches, run } = heldRuns();
    const answers = Array.from({ length: 8 }, (_, i) => gatherer.submit('p', i, run));
    for (let closed = 0; closed < 4; closed++) {
      batches[closed]!.close();
      await settle();
    }
    expect(batches.map((b) => b.inputs)).toEqual([[0], [1, 2, 3], [4, 5, 6], [7]]);
    expect(sizes).toEqual([1, 3, 3, 1]);
    expect(await Promise.all(answers)).toEqual(Array.from({ length: 8 }, (_, i) => `done ${i}`));
  });

  it("fails every event of a failed transaction with its error, and the group's next transaction still runs", async () => {
    const gatherer = new EventGatherer<number, string>({ concurrency: 1, maxBatch: 10 });
    const { batches, run } = heldRuns();
    const first = gatherer.submit('p', 1, run);
    const gathered = [gatherer.submit('p', 2, run), gatherer.submit('p', 3, run)];
    batches[0]!.fail(new Error('settings changed'));
    await expect(first).rejects.toThrow('settings changed');
    await settle();
    expect(batches[1]!.inputs).toEqual([2, 3]);
    batches[1]!.fail(new Error('connection lost'));
    for (const g of gathered) await expect(g).rejects.toThrow('connection lost');
    const later = gatherer.submit('p', 4, run);
    batches[2]!.close();
    expect(await later).toBe('done 4');
  });

  it('refuses a run that does not answer every event', async () => {
    const gatherer = new EventGatherer<number, string>({ concurrency: 1, maxBatch: 10 });
    await expect(gatherer.submit('p', 1, async () => [])).rejects.toThrow('answered 0 of 1');
  });
});
