import type { ExampleScript } from './types.js';

const examples: ExampleScript = async (_run) => {};
export default examples;
