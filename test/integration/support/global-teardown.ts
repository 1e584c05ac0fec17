import { takeHandles } from './emulator-handle';

export default async function globalTeardown(): Promise<void> {
  await Promise.all(takeHandles().map((server) => server.stop()));
}
