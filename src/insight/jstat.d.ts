// jstat ships no types; the model uses only its log-gamma (accurate to ~1e-14 over the range the likelihoods need).
declare module 'jstat' {
  const jStat: { gammaln(x: number): number };
  export default jStat;
}
