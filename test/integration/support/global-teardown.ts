import { takeHandle } from './emulator-handle';

export default async function globalTeardown(): Promise<void> {
  await takeHandle()?.stop();
}
