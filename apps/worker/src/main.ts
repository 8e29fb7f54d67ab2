import { runWorker } from './run-worker';

void runWorker(process.env);
