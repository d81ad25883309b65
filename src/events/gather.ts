/**
 * Single events sent at once by many clients are written together. A request's event starts a transaction of its own
 * when fewer than `concurrency` of its group's transactions are open; otherwise it waits for the next one to close
 * and goes, with every event that arrived meanwhile, in the transaction that follows. So an idle server answers an
 * event at once, and a busy one pays its round trips, locks and commit once for many events instead of once each
 * (a commit's WAL flush is shared, which is where 32 clients' single events queued).
 *
 * The events of one transaction are judged as a batch judges them (src/events/ingest.ts): each on its own, in the
 * order they arrived, the same id twice answering as a replay; one that fails is answered alone and the others
 * written without it. A group is what the events must share to be written together: program, partner, settings.
 */
export interface GatheredRun<Input, Result> {
  (inputs: Input[]): Promise<Result[]>;
}

interface Waiting<Input, Result> {
  input: Input;
  resolve: (result: Result) => void;
  reject: (err: unknown) => void;
}

interface Group<Input, Result> {
  run: GatheredRun<Input, Result>;
  waiting: Array<Waiting<Input, Result>>;
  open: number;
}

export interface GatherOptions {
  /** Transactions of one group open at once. */
  concurrency: number;
  /** Events in one transaction at most; more wait for the next. */
  maxBatch: number;
  /** Told the size of each transaction started (a metric). */
  onBatch?: (size: number) => void;
}

export class EventGatherer<Input, Result> {
  private readonly groups = new Map<string, Group<Input, Result>>();

  constructor(private readonly options: GatherOptions) {
    if (!(options.concurrency >= 1 && options.maxBatch >= 1)) throw new RangeError('concurrency and maxBatch must be at least 1');
  }

  /**
   * Answers `input` with its result from the group's next transaction. `run` writes a batch and answers each input
   * in order; it is taken from the first request of a group and used for every batch of it, so what it closes over
   * must be the same for every member of the group (the key says so).
   */
  submit(key: string, input: Input, run: GatheredRun<Input, Result>): Promise<Result> {
    let group = this.groups.get(key);
    if (!group) {
      group = { run, waiting: [], open: 0 };
      this.groups.set(key, group);
    }
    const answer = new Promise<Result>((resolve, reject) => group.waiting.push({ input, resolve, reject }));
    this.start(key, group);
    return answer;
  }

  /** Requests waiting for a transaction, over all groups (for tests and metrics). */
  get waiting(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.waiting.length;
    return n;
  }

  private start(key: string, group: Group<Input, Result>): void {
    while (group.open < this.options.concurrency && group.waiting.length > 0) {
      const batch = group.waiting.splice(0, this.options.maxBatch);
      group.open++;
      this.options.onBatch?.(batch.length);
      void this.write(group, batch).finally(() => {
        group.open--;
        if (group.waiting.length > 0) this.start(key, group);
        else if (group.open === 0 && this.groups.get(key) === group) this.groups.delete(key);
      });
    }
  }

  private async write(group: Group<Input, Result>, batch: Array<Waiting<Input, Result>>): Promise<void> {
    try {
      const results = await group.run(batch.map((w) => w.input));
      if (results.length !== batch.length) throw new Error(`a gathered run answered ${results.length} of ${batch.length} inputs`);
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
