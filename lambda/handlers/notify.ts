import { handleInvocation } from '../runtime/handle';

export const handler = (event: unknown) => handleInvocation(event);
