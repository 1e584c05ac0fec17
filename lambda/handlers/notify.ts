import type { LambdaContext } from '../runtime/home-account';
import { handleInvocation } from '../runtime/handle';

export const handler = (event: unknown, context: LambdaContext) => handleInvocation(event, context);
