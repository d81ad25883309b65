// jstat ships no types. The model uses its log-gamma (accurate to ~1e-14 over the range the likelihoods need); the
// CLV bench draws simulated customers from its gamma and beta distributions with a seeded generator.
declare module 'jstat' {
  const jStat: {
    gammaln(x: number): number;
    setRandom(fn: () => number): void;
    /** Gamma(shape, scale). */
    gamma: { sample(shape: number, scale: number): number };
    beta: { sample(a: number, b: number): number };
  };
  export default jStat;
}
